/** Extra lookups of a room after it opens, in ms after the join. */
const FOLLOW_UP_LOOKUPS_MS = [1_000, 2_000, 4_000, 8_000];

/**
 * Two nodes opening a room at the same moment each look it up before the other's announce has
 * landed. So a room is looked up again as soon as the join's own announce and lookup are done (a
 * node that joined at the same moment has had as long to announce: one of the two then finds the
 * other, in about one lookup's time), and again at 1, 2, 4 and 8 s for joins further apart,
 * rather than only at the next periodic lookup. Timers per room, cancelled when the room is left
 * or discovery stops.
 */
export class FollowUpLookups {
  readonly #timers = new Map<string, NodeJS.Timeout[]>();

  /**
   * Runs `lookup` once `joined` (the join's own refresh) settles, and at each follow-up delay
   * (replacing any schedule the room had).
   */
  schedule(room: string, joined: Promise<void>, lookup: () => void): void {
    this.cancel(room);
    const timers = FOLLOW_UP_LOOKUPS_MS.map((delay) => {
      const timer = setTimeout(lookup, delay);
      timer.unref();
      return timer;
    });
    this.#timers.set(room, timers);
    void joined.then(() => {
      if (this.#timers.get(room) === timers) lookup();
    });
  }

  cancel(room: string): void {
    for (const timer of this.#timers.get(room) ?? []) clearTimeout(timer);
    this.#timers.delete(room);
  }

  clear(): void {
    for (const room of [...this.#timers.keys()]) this.cancel(room);
  }
}
