/**
 * Event-loop time the node spent refusing requests that carried no proof-of-work beyond their
 * address's allowance (`UNPAID_RATE_LIMITED`), as a smoothed share of wall time: the work that
 * must not raise the price, because nobody paid for it and pricing cannot shed it. Smoothed like
 * the load sampler (EWMA, α = 0.3 per `intervalMs`), so the two can be subtracted. Updated
 * lazily on use over an injected clock: no timer.
 */
export class RefusedWork {
  readonly #intervalMs: number;
  readonly #now: () => number;
  #interval: number;
  #spentMs = 0;
  #smoothed = 0;

  constructor(options: { intervalMs: number; now: () => number }) {
    this.#intervalMs = options.intervalMs;
    this.#now = options.now;
    this.#interval = Math.floor(this.#now() / this.#intervalMs);
  }

  /** Adds the time one refusal took. */
  add(ms: number): void {
    this.#roll();
    this.#spentMs += ms;
  }

  /** The smoothed share of time spent on refusals, in [0, 1]. */
  share(): number {
    this.#roll();
    return this.#smoothed;
  }

  /** Folds finished intervals into the average (idle ones in between count as 0). */
  #roll(): void {
    const interval = Math.floor(this.#now() / this.#intervalMs);
    if (interval <= this.#interval) return;
    const last = Math.min(1, this.#spentMs / this.#intervalMs);
    const idle = Math.min(interval - this.#interval - 1, 64);
    this.#smoothed = (this.#smoothed * (1 - ALPHA) + last * ALPHA) * (1 - ALPHA) ** idle;
    this.#interval = interval;
    this.#spentMs = 0;
  }
}

/** The load sampler's smoothing factor (load-sampler.ts). */
const ALPHA = 0.3;
