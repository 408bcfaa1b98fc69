/**
 * Requests per second per source IP address. The table is bounded: when full, the oldest entry is
 * evicted (Map iteration order is insertion order), so an attacker spraying source addresses
 * costs memory only up to `maxSources` entries.
 */
import { TokenBucket } from './token-bucket.js';

/** Limits STUN requests per source address. */
export class SourceRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly maxSources: number,
  ) {}

  /** True when a request from `ip` may proceed now. A limit of 0 disables the limiter. */
  allow(ip: string, nowMs: number): boolean {
    if (this.perSecond <= 0) return true;
    let bucket = this.buckets.get(ip);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxSources) {
        const oldest = this.buckets.keys().next();
        if (oldest.done !== true) this.buckets.delete(oldest.value);
      }
      bucket = new TokenBucket(this.perSecond, this.burst, nowMs);
      this.buckets.set(ip, bucket);
    }
    return bucket.take(1, nowMs);
  }

  /** Forgets every source (used on stop). */
  clear(): void {
    this.buckets.clear();
  }
}
