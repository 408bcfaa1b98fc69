/**
 * Ids of frames already handled, for flood dedupe, in two generations: when the current one holds
 * half the capacity it becomes the previous one and a fresh set starts. Every operation is O(1)
 * (evicting single oldest entries from one big Set degrades badly once it is full: deleted slots
 * pile up in front of the iterator), memory stays under `capacity` ids, and an id is remembered
 * for at least capacity / 2 further ids — a duplicate later than that is let through once.
 */
export class SeenIds {
  #current = new Set<string>();
  #previous = new Set<string>();
  readonly #generation: number;

  constructor(capacity: number) {
    this.#generation = Math.max(1, Math.floor(capacity / 2));
  }

  /** Records `id`; false when it was seen already. */
  add(id: string): boolean {
    if (this.#current.has(id) || this.#previous.has(id)) return false;
    if (this.#current.size >= this.#generation) {
      this.#previous = this.#current;
      this.#current = new Set();
    }
    this.#current.add(id);
    return true;
  }

  /** True when `id` was recorded (without recording it). */
  has(id: string): boolean {
    return this.#current.has(id) || this.#previous.has(id);
  }

  get size(): number {
    return this.#current.size + this.#previous.size;
  }
}
