import { toBase64url } from '@sigmesh/protocol';

/** Why an authentic sealed box was not opened. */
export type ReplayRefusal =
  /** Its IV was opened before, within the window: a copy under a new message id. */
  | 'replayed'
  /** Sent further than the window from our clock, either way (a replay, or a clock that is off). */
  | 'stale'
  /** So many boxes opened within the window that one more could not be remembered. */
  | 'overflow';

export interface ReplayGuardOptions {
  /** How far a box's send time may be from our clock, either way. */
  readonly windowMs: number;
  /** Boxes remembered at most (those opened within the window). */
  readonly capacity: number;
  readonly now: () => number;
}

/**
 * Refuses sealed boxes that were opened before or that were sent outside a time window, with
 * bounded memory. A box is taken only while |now − sentAt| ≤ windowMs; its IV is remembered
 * until sentAt + windowMs, after which the time check alone refuses it, so forgetting it opens
 * no hole. Nothing younger is ever forgotten: when `capacity` boxes are inside the window, new
 * ones are refused (`overflow`) until the oldest leave it.
 */
export class ReplayGuard {
  /** IV (base64url) → when it leaves the window (sentAt + windowMs), in insertion order. */
  readonly #opened = new Map<string, number>();
  readonly #options: ReplayGuardOptions;
  /** While full, no entry leaves the window before this time: no need to look again. */
  #fullUntil = -Infinity;

  constructor(options: ReplayGuardOptions) {
    this.#options = options;
  }

  /** Boxes remembered now. */
  get size(): number {
    return this.#opened.size;
  }

  /** Takes an authentic box (and remembers it), or says why not. Synchronous: no race. */
  admit(sentAt: number, iv: Uint8Array): ReplayRefusal | undefined {
    const now = this.#options.now();
    if (Math.abs(now - sentAt) > this.#options.windowMs) return 'stale';
    const id = toBase64url(iv);
    if (this.#opened.has(id)) return 'replayed';
    this.#forgetFront(now);
    if (this.#opened.size >= this.#options.capacity) {
      if (now <= this.#fullUntil) return 'overflow';
      this.sweep(now);
      if (this.#opened.size >= this.#options.capacity) {
        this.#fullUntil = Infinity;
        for (const leaves of this.#opened.values())
          this.#fullUntil = Math.min(this.#fullUntil, leaves);
        return 'overflow';
      }
    }
    this.#opened.set(id, sentAt + this.#options.windowMs);
    return undefined;
  }

  /** Forgets every box that left the window. */
  sweep(now = this.#options.now()): void {
    for (const [id, leaves] of this.#opened) if (leaves < now) this.#opened.delete(id);
  }

  /** Forgets boxes from the front while they left the window (most arrive in time order). */
  #forgetFront(now: number): void {
    for (const [id, leaves] of this.#opened) {
      if (leaves >= now) return;
      this.#opened.delete(id);
    }
  }
}
