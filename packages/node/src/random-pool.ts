import { randomBytes } from 'node:crypto';

const POOL_BYTES = 4096;

/**
 * Cryptographically random bytes drawn from a pooled buffer: one native `randomBytes` call per
 * 4 KiB instead of one per challenge nonce or message id (a measurable share of a post's CPU).
 * Every byte is handed out once.
 */
export class RandomPool {
  #pool = randomBytes(POOL_BYTES);
  #offset = 0;

  /** `length` fresh random bytes (a copy; the pool is never exposed). */
  take(length: number): Buffer {
    if (length > POOL_BYTES) return randomBytes(length);
    if (this.#offset + length > POOL_BYTES) {
      this.#pool = randomBytes(POOL_BYTES);
      this.#offset = 0;
    }
    const bytes = Buffer.from(this.#pool.subarray(this.#offset, this.#offset + length));
    this.#offset += length;
    return bytes;
  }

  /** Fills `target` with fresh random bytes (no allocation while the pool lasts). */
  fill(target: Uint8Array): void {
    const { length } = target;
    if (length > POOL_BYTES) {
      target.set(randomBytes(length));
      return;
    }
    if (this.#offset + length > POOL_BYTES) {
      this.#pool = randomBytes(POOL_BYTES);
      this.#offset = 0;
    }
    target.set(this.#pool.subarray(this.#offset, this.#offset + length));
    this.#offset += length;
  }

  /** `length` random bytes as lowercase hex. */
  hex(length: number): string {
    const start = this.#offset;
    if (length <= POOL_BYTES && start + length <= POOL_BYTES) {
      this.#offset += length;
      return this.#pool.toString('hex', start, start + length);
    }
    return this.take(length).toString('hex');
  }
}
