const SLOTS = 6;
const SLOT_MS = 10_000;

interface Entry {
  counts: number[];
  /** Absolute slot index (time / SLOT_MS) of the newest slot written. */
  slot: number;
  /** Slot of the last request recorded (its place in the eviction order dates from then). */
  touched: number;
}

/**
 * Requests per client in the last minute, as six 10-second slots (sliding within 10 s).
 * Bounded: at most `maxClients` entries; the least recently active (to within one slot) is
 * forgotten first (Map iteration order is insertion order; a client's first request of a slot
 * re-inserts it).
 */
export class MessageCounter {
  readonly #entries = new Map<string, Entry>();
  readonly #maxClients: number;
  readonly #now: () => number;

  constructor(options: { maxClients: number; now: () => number }) {
    this.#maxClients = options.maxClients;
    this.#now = options.now;
  }

  /** Counts one request by `key`. */
  record(key: string): void {
    const slot = Math.floor(this.#now() / SLOT_MS);
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      if (this.#entries.size >= this.#maxClients) {
        const oldest = this.#entries.keys().next();
        if (!oldest.done) this.#entries.delete(oldest.value);
      }
      const counts = Array<number>(SLOTS).fill(0);
      counts[slot % SLOTS] = 1;
      this.#entries.set(key, { counts, slot, touched: slot });
      return;
    }
    // Moved to the end (most recently active) at its first request of a slot only: eviction
    // order is by activity to within one slot, and a busy client costs one Map lookup a request.
    if (slot !== entry.touched) {
      entry.touched = slot;
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    advance(entry, slot);
    entry.counts[slot % SLOTS]! += 1;
  }

  /** Requests by `key` in the last minute. */
  count(key: string): number {
    const entry = this.#entries.get(key);
    if (entry === undefined) return 0;
    advance(entry, Math.floor(this.#now() / SLOT_MS));
    let sum = 0;
    for (const value of entry.counts) sum += value;
    return sum;
  }

  /**
   * Milliseconds until `key`'s count is at most `limit`, if it makes no further requests: the
   * moment the slot holding the request that puts it over `limit` leaves the one-minute window.
   * 0 when it is at most `limit` already. This is what `Retry-After` promises.
   */
  msUntilAtMost(key: string, limit: number): number {
    const entry = this.#entries.get(key);
    if (entry === undefined) return 0;
    const now = this.#now();
    advance(entry, Math.floor(now / SLOT_MS));
    let remaining = entry.counts.reduce((sum, value) => sum + value, 0);
    // Oldest slot first: slot s is counted until (s + SLOTS) × SLOT_MS.
    for (let slot = entry.slot - SLOTS + 1; remaining > limit && slot <= entry.slot; slot++) {
      remaining -= entry.counts[((slot % SLOTS) + SLOTS) % SLOTS]!;
      if (remaining <= limit) return (slot + SLOTS) * SLOT_MS - now;
    }
    return 0;
  }

  get size(): number {
    return this.#entries.size;
  }
}

function advance(entry: Entry, slot: number): void {
  if (slot <= entry.slot) return;
  for (let s = entry.slot + 1; s <= Math.min(slot, entry.slot + SLOTS); s++)
    entry.counts[s % SLOTS] = 0;
  entry.slot = slot;
}
