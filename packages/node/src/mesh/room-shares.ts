import type { RoomHash } from '@sigmesh/protocol';

/**
 * A fair share of one link's frame budget per room, for the messages this node sends over it. The
 * node at the other end takes at most `--mesh-frames-per-second` frames from us, whatever their
 * room, and drops the rest; so a room flooding a link shared by many rooms would starve the others.
 * While the link carries less than half its budget in the current second nothing is rationed;
 * above that, with n rooms sending in this or the last second, each may send at most 1/(n + 1) of
 * the budget — one part stays free for a room that has not sent yet — and nothing goes past the
 * whole budget. A quiet room's messages therefore pass however busy another room is (max-min
 * fairness in one-second windows); a room alone on a saturated link gets half of it.
 */
export class RoomShares {
  readonly #capacity: number;
  readonly #windowMs: number;
  readonly #counts = new Map<RoomHash, number>();
  #windowStart = -Infinity;
  #total = 0;
  #previousRooms = 0;

  constructor(capacityPerSecond: number, windowMs = 1000) {
    this.#capacity = (capacityPerSecond * windowMs) / 1000;
    this.#windowMs = windowMs;
  }

  /** True when a message of `room` may go over the link now (and counts it). */
  take(room: RoomHash, now: number): boolean {
    if (now - this.#windowStart >= this.#windowMs) {
      const consecutive = now - this.#windowStart < 2 * this.#windowMs;
      this.#previousRooms = consecutive ? this.#counts.size : 0;
      this.#counts.clear();
      this.#total = 0;
      this.#windowStart = now;
    }
    const used = this.#counts.get(room) ?? 0;
    if (this.#total >= this.#capacity / 2) {
      const rooms = Math.max(this.#previousRooms, this.#counts.size + (used === 0 ? 1 : 0));
      if (this.#total >= this.#capacity || used >= this.#capacity / (rooms + 1)) return false;
    }
    this.#counts.set(room, used + 1);
    this.#total++;
    return true;
  }
}
