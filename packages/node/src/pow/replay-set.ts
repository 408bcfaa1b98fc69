/**
 * Spent challenge nonces, in two generations rotated every `generationMs` (≥ the challenge ttl).
 * A challenge is valid for at most ttl, so it is always found in the current or the previous
 * generation while it could still verify; older ones fail the time check first. Memory is bounded
 * by `maxPerGeneration`: when the current generation is full, `add` refuses.
 */
export class ReplaySet {
  #current = new Set<string>();
  #previous = new Set<string>();
  #rotatedAt: number;
  readonly #generationMs: number;
  readonly #maxPerGeneration: number;
  readonly #now: () => number;

  constructor(options: { generationMs: number; maxPerGeneration: number; now: () => number }) {
    this.#generationMs = options.generationMs;
    this.#maxPerGeneration = options.maxPerGeneration;
    this.#now = options.now;
    this.#rotatedAt = this.#now();
  }

  /** Records `key`; 'replayed' if seen before, 'full' if there is no room, 'added' otherwise. */
  add(key: string): 'added' | 'replayed' | 'full' {
    this.#rotate();
    if (this.#previous.has(key)) return 'replayed';
    const current = this.#current;
    const size = current.size;
    // One lookup in the current generation: adding a key it holds leaves its size unchanged.
    if (size < this.#maxPerGeneration) return current.add(key).size === size ? 'replayed' : 'added';
    return current.has(key) ? 'replayed' : 'full';
  }

  /** Milliseconds until the next rotation empties the current generation. */
  msUntilRotation(): number {
    return Math.max(0, this.#rotatedAt + this.#generationMs - this.#now());
  }

  get size(): number {
    return this.#current.size + this.#previous.size;
  }

  #rotate(): void {
    const now = this.#now();
    if (now - this.#rotatedAt < this.#generationMs) return;
    // Two generations without a use: both are stale.
    this.#previous = now - this.#rotatedAt >= 2 * this.#generationMs ? new Set() : this.#current;
    this.#current = new Set();
    this.#rotatedAt = now;
  }
}
