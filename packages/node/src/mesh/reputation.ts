/** A score that halves every `halfLifeMs`. */
interface Score {
  points: number;
  at: number;
}

/**
 * Misbehaviour points per node id and per address. Every protocol violation adds points; points
 * halve every `halfLifeMs`; at `banPoints` the node (and its address, since fresh keys are free)
 * is refused links until enough points have decayed. Bounded: the least recently penalized entry
 * is forgotten first.
 */
export class Reputation {
  readonly #scores = new Map<string, Score>();
  readonly #banPoints: number;
  readonly #halfLifeMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: {
    banPoints: number;
    halfLifeMs: number;
    maxEntries: number;
    now: () => number;
  }) {
    this.#banPoints = options.banPoints;
    this.#halfLifeMs = options.halfLifeMs;
    this.#maxEntries = options.maxEntries;
    this.#now = options.now;
  }

  /** Adds `points` to each key; true when any of them is banned now. */
  penalize(keys: readonly string[], points: number): boolean {
    let banned = false;
    const now = this.#now();
    for (const key of keys) {
      const points0 = this.#current(key, now) + points;
      this.#scores.delete(key);
      this.#scores.set(key, { points: points0, at: now });
      if (this.#scores.size > this.#maxEntries)
        this.#scores.delete(this.#scores.keys().next().value!);
      if (points0 >= this.#banPoints) banned = true;
    }
    return banned;
  }

  /** True when any key's points are at the ban threshold. */
  banned(keys: readonly string[]): boolean {
    const now = this.#now();
    return keys.some((key) => this.#current(key, now) >= this.#banPoints);
  }

  /** A key's points now. */
  points(key: string): number {
    return this.#current(key, this.#now());
  }

  #current(key: string, now: number): number {
    const score = this.#scores.get(key);
    if (score === undefined) return 0;
    return score.points * 2 ** (-(now - score.at) / this.#halfLifeMs);
  }
}
