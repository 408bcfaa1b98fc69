/**
 * A token bucket whose refill rate is scaled by the node's load at the time of refill: tracker
 * clients cannot pay proof-of-work, so the node admits less of their traffic as it gets busier
 * instead of pricing it (load-admission.ts).
 */
export class RateBucket {
  #tokens: number;
  #at: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.#tokens = burst;
    this.#at = now;
  }

  /** Takes `cost` tokens if the bucket holds them (after refilling at `rate × scale`). */
  take(cost: number, now: number, scale: number): boolean {
    const elapsed = Math.max(0, now - this.#at) / 1000;
    this.#at = now;
    this.#tokens = Math.min(this.burst, this.#tokens + elapsed * this.rate * scale);
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }

  /** Puts back tokens taken for work that was not done after all. */
  refund(cost: number): void {
    this.#tokens = Math.min(this.burst, this.#tokens + cost);
  }
}
