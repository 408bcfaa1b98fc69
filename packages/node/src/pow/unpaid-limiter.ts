/** The answer of {@link UnpaidLimiter.take}. */
export type UnpaidAllowance =
  { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date (ms, from `now`). */
  at: number;
}

/**
 * A token bucket per client address for requests that carry no proof-of-work: `GET /`, `/nodes`,
 * `/ip`, `/status`, `/metrics`, the app's files, CORS preflights, unknown routes, and paid routes
 * asked without a valid proof (each of those costs the node a fresh challenge). Such requests buy
 * nothing, so a flood of them must be refused cheaply instead of raising the price paying
 * clients see. Bounded: at most `maxClients` buckets; the least recently used is forgotten first
 * (Map order is insertion order, and every use re-inserts).
 */
export class UnpaidLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #rate: number;
  readonly #burst: number;
  readonly #maxClients: number;
  readonly #now: () => number;
  #refused = 0;

  constructor(options: {
    /** Tokens added per second. */
    perSecond: number;
    /** Tokens a bucket holds at most (and starts with). */
    burst: number;
    maxClients: number;
    now: () => number;
  }) {
    this.#rate = options.perSecond;
    this.#burst = options.burst;
    this.#maxClients = options.maxClients;
    this.#now = options.now;
  }

  /**
   * Takes one token for `address`. When none is left, says after how long one will be (if the
   * address sends nothing meanwhile): a truthful Retry-After.
   */
  take(address: string): UnpaidAllowance {
    const now = this.#now();
    let bucket = this.#buckets.get(address);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxClients) {
        const oldest = this.#buckets.keys().next();
        if (!oldest.done) this.#buckets.delete(oldest.value);
      }
      bucket = { tokens: this.#burst, at: now };
    } else {
      this.#buckets.delete(address);
      if (now > bucket.at) {
        bucket.tokens = Math.min(
          this.#burst,
          bucket.tokens + ((now - bucket.at) * this.#rate) / 1000,
        );
        bucket.at = now;
      }
    }
    this.#buckets.set(address, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    this.#refused++;
    return { ok: false, retryAfterMs: ((1 - bucket.tokens) * 1000) / this.#rate };
  }

  get size(): number {
    return this.#buckets.size;
  }

  /** Requests refused since the node started (for /metrics). */
  get refused(): number {
    return this.#refused;
  }
}
