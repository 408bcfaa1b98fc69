/** Pauses before each attempt to get back to k nodes, growing while attempts fall short. */
const REJOIN_BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15_000, 30_000];

/**
 * Re-joins after a node is lost: one attempt at a time, each after a pause that grows (up to
 * 30 s) while attempts end short of k nodes or fail, and starts over once k are joined.
 */
export class RejoinBackoff {
  readonly #fill: () => Promise<void>;
  readonly #full: () => boolean;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  /** `fill` joins nodes until k are active; `full` says whether k are. */
  constructor(fill: () => Promise<void>, full: () => boolean) {
    this.#fill = fill;
    this.#full = full;
  }

  /** Schedules the next attempt, unless one is scheduled already. */
  schedule(): void {
    if (this.#timer !== undefined || this.#stopped) return;
    const delay = REJOIN_BACKOFF_MS[Math.min(this.#attempt, REJOIN_BACKOFF_MS.length - 1)]!;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#fill().then(
        () => {
          this.#attempt = this.#full() ? 0 : this.#attempt + 1;
          if (!this.#full()) this.schedule();
        },
        () => {
          this.#attempt++;
          this.schedule();
        },
      );
    }, delay);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }
}
