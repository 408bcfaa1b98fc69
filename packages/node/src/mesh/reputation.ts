/** A score that halves every `halfLifeMs`, and the end of a ban it earned. */
interface Score {
  points: number;
  at: number;
  bannedUntil: number;
}

/**
 * Misbehaviour points per node id and per address. Every protocol violation adds points; points
 * halve every `halfLifeMs`; reaching `banPoints` bans the key for one half-life (at least), and
 * for as long as its points stay at the threshold. Bounded: the least recently penalized entry is
 * forgotten first.
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
      const previous = this.#scores.get(key);
      const total = this.#current(key, now) + points;
      let bannedUntil = previous?.bannedUntil ?? 0;
      if (total >= this.#banPoints) bannedUntil = Math.max(bannedUntil, now + this.#halfLifeMs);
      this.#scores.delete(key);
      this.#scores.set(key, { points: total, at: now, bannedUntil });
      if (this.#scores.size > this.#maxEntries)
        this.#scores.delete(this.#scores.keys().next().value!);
      if (bannedUntil > now) banned = true;
    }
    return banned;
  }

  /** True when any key is banned now. */
  banned(keys: readonly string[]): boolean {
    const now = this.#now();
    return keys.some(
      (key) =>
        (this.#scores.get(key)?.bannedUntil ?? 0) > now ||
        this.#current(key, now) >= this.#banPoints,
    );
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
