/** Extra lookups of a room after it opens, in ms after the join. */
const FOLLOW_UP_LOOKUPS_MS = [1_000, 2_000, 4_000, 8_000];

/**
 * Two nodes opening a room at the same moment each look it up before the other's announce has
 * landed; lookups again at 1, 2, 4 and 8 s let them meet in seconds rather than at the next
 * periodic lookup. Timers per room, cancelled when the room is left or discovery stops.
 */
export class FollowUpLookups {
  readonly #timers = new Map<string, NodeJS.Timeout[]>();

  /** Runs `lookup` at each follow-up delay (replacing any schedule the room had). */
  schedule(room: string, lookup: () => void): void {
    this.cancel(room);
    this.#timers.set(
      room,
      FOLLOW_UP_LOOKUPS_MS.map((delay) => {
        const timer = setTimeout(lookup, delay);
        timer.unref();
        return timer;
      }),
    );
  }

  cancel(room: string): void {
    for (const timer of this.#timers.get(room) ?? []) clearTimeout(timer);
    this.#timers.delete(room);
  }

  clear(): void {
    for (const room of [...this.#timers.keys()]) this.cancel(room);
  }
}
