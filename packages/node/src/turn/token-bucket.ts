/**
 * A token bucket over an injected clock: `rate` tokens per second, at most `burst` stored. Used
 * for the bandwidth cap per allocation (tokens are bytes) and the request rate per source address.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.last = nowMs;
  }

  /** Takes `amount` tokens if available; false (and nothing taken) otherwise. */
  take(amount: number, nowMs: number): boolean {
    if (nowMs > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.last) * this.rate) / 1000);
      this.last = nowMs;
    }
    if (this.tokens < amount) return false;
    this.tokens -= amount;
    return true;
  }
}
