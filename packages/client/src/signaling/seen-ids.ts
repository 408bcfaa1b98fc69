/**
 * Remembers recent ids in two generations: when the current one holds `capacity` ids, it becomes
 * the old one and the oldest is dropped. O(1) per id, bounded memory.
 */
export class SeenIds {
  #current = new Set<string>();
  #old = new Set<string>();
  readonly #capacity: number;

  constructor(capacity = 4096) {
    this.#capacity = capacity;
  }

  /** True the first time `id` is seen (and remembers it). */
  first(id: string): boolean {
    if (this.#current.has(id) || this.#old.has(id)) return false;
    if (this.#current.size >= this.#capacity) {
      this.#old = this.#current;
      this.#current = new Set();
    }
    this.#current.add(id);
    return true;
  }
}
