/**
 * Ids of frames already handled, for flood dedupe. Bounded: past `capacity` the oldest id is
 * forgotten (Map iteration order is insertion order), which at worst lets a very late duplicate
 * through once, never grows memory.
 */
export class SeenIds {
  readonly #ids = new Set<string>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Records `id`; false when it was seen already. */
  add(id: string): boolean {
    if (this.#ids.has(id)) return false;
    if (this.#ids.size >= this.#capacity) {
      const oldest = this.#ids.values().next();
      if (!oldest.done) this.#ids.delete(oldest.value);
    }
    this.#ids.add(id);
    return true;
  }

  get size(): number {
    return this.#ids.size;
  }
}
