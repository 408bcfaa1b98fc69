import { createHash } from 'node:crypto';

// DHT keys sigmesh announces on. Rooms are never announced under their raw hash: a room hash is
// 20 bytes like an info-hash and may be a real torrent's, so the key is derived and rotates.

/** The default network name; nodes on different names never see each other. */
export const defaultNetwork = 'sigmesh:network:v1';

/** The BEP 5 key every node of `network` announces itself on: `sha1(network)`. */
export function networkKey(network: string = defaultNetwork): Buffer {
  return createHash('sha1').update(network).digest();
}

/** The BEP 5 key of a room in one epoch: `sha1("sigmesh:room:" + roomHash + ":" + epoch)`. */
export function roomKey(roomHash: string, epoch: number): Buffer {
  return createHash('sha1').update(`sigmesh:room:${roomHash}:${epoch}`).digest();
}

/** The epoch a moment falls in: `floor(now / epochMs)`. */
export function epochOf(nowMs: number, epochMs: number): number {
  return Math.floor(nowMs / epochMs);
}

/** Which epochs to announce on and which to look up at one moment. */
export interface RoomEpochs {
  readonly announce: readonly number[];
  readonly lookup: readonly number[];
}

/**
 * Announce on the current epoch, and also on the next one within `leadMs` of the boundary, so
 * members that already rotated find us. Look up the same, plus the previous epoch within `leadMs`
 * after the boundary, so members that have not rotated yet (clock skew) are found too.
 */
export function roomEpochs(nowMs: number, epochMs: number, leadMs: number): RoomEpochs {
  const current = epochOf(nowMs, epochMs);
  const sinceStart = nowMs - current * epochMs;
  const untilEnd = epochMs - sinceStart;
  const announce = untilEnd <= leadMs ? [current, current + 1] : [current];
  const lookup = sinceStart < leadMs ? [current - 1, ...announce] : announce;
  return { announce, lookup };
}
