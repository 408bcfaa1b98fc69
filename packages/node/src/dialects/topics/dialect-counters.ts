/** Totals of one dialect since start, by what was counted, for `Dialect.stats()` and `/metrics`. */
export class DialectCounters {
  readonly #counts: Record<string, number> = {};

  add(name: string, amount = 1): void {
    this.#counts[name] = (this.#counts[name] ?? 0) + amount;
  }

  snapshot(): Readonly<Record<string, number>> {
    return { ...this.#counts };
  }
}
