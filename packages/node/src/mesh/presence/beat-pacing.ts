import type { RoomHash } from '@sigmesh/protocol';
import type { OwnerState } from './owner-state.js';

/** The longest beat interval pacing picks: a dead owner's lease is then 3 × 32 s at most. */
export const MAX_PACED_BEAT_MS = 32_000;

export interface BeatPacing {
  /** The configured beat interval (`--mesh-beat-ms`): what a node beats in rooms of few nodes. */
  readonly baseMs: number;
  /**
   * Beat values per second one room may cost each node in it (`--mesh-room-beats-per-second`);
   * 0 turns pacing off.
   */
  readonly roomBeatsPerSecond: number;
}

/**
 * This node's next beat interval, given the most nodes any room of its spans (itself included)
 * and the interval it beats at now. Every node of a room checks one beat value per interval of
 * each of the room's nodes, so with every node beating each `span / roomBeatsPerSecond` seconds a
 * room costs each of its nodes about `roomBeatsPerSecond` values a second however many nodes it
 * spans. Intervals are the base times a power of two (at most {@link MAX_PACED_BEAT_MS}): a room's
 * nodes, which see about the same span, pick the same one. It goes up as soon as the span
 * passes the current level's threshold, and down only once the span is at most half the lower
 * level's threshold, so a span hovering at a threshold does not flip it back and forth (each
 * change starts a new signed chain).
 */
export function pacedBeatMs(span: number, currentMs: number, pacing: BeatPacing): number {
  const { baseMs, roomBeatsPerSecond } = pacing;
  if (roomBeatsPerSecond <= 0) return baseMs;
  const ceiling = Math.max(baseMs, MAX_PACED_BEAT_MS);
  // The interval, in base intervals, that holds the room to its budget.
  const wanted = (span * 1000) / roomBeatsPerSecond / baseMs;
  let level = 1;
  while (level < wanted && baseMs * level * 2 <= ceiling) level *= 2;
  const current = Math.max(1, Math.round(currentMs / baseMs));
  if (level >= current) return baseMs * level;
  // Down only once the span is at most half the lower level's threshold (current / 2).
  return wanted <= current / 4 ? baseMs * level : currentMs;
}

/**
 * The most other nodes any room we hold spans: live owners listing members there (what our beat
 * interval is paced by).
 */
export function largestRoomSpan(owners: Iterable<OwnerState>): number {
  const perRoom = new Map<RoomHash, number>();
  let most = 0;
  for (const owner of owners) {
    if (!owner.visible) continue;
    for (const [room, roster] of owner.rosters) {
      if (roster.members.size === 0) continue;
      const count = (perRoom.get(room) ?? 0) + 1;
      perRoom.set(room, count);
      most = Math.max(most, count);
    }
  }
  return most;
}
