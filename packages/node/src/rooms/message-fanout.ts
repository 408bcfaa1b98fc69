import type { PeerId } from '@sigmesh/protocol';
import { isEventSink, type Member } from './member.js';
import type { RoomMessage } from './room-observer.js';
import { sseChunk } from './sse-chunk.js';

/**
 * Gives `message` to the local members of its room it is for: only `to` when it is addressed,
 * else every member but the sender. A member served inside the node takes the message as a
 * value; a stream member is queued the `message` event through `enqueue`, encoded once and only
 * if one needs the bytes. Returns how many members took it.
 */
export function fanOutMessage(
  members: ReadonlyMap<PeerId, Member>,
  message: RoomMessage,
  enqueue: (member: Member, chunk: Buffer) => boolean,
): number {
  const { id, from, to, data } = message;
  let chunk: Buffer | undefined;
  const give = (member: Member): boolean => {
    if (member.closed) return false;
    if (isEventSink(member.sink)) {
      member.sink.message(message);
      return true;
    }
    chunk ??= sseChunk('message', to === undefined ? { id, from, data } : { id, from, to, data });
    return enqueue(member, chunk);
  };
  if (to !== undefined) {
    const target = members.get(to);
    return target !== undefined && give(target) ? 1 : 0;
  }
  let delivered = 0;
  // An inbox's broadcasts are for its owners: a guest hears only what is addressed to it.
  for (const member of members.values())
    if (member.peerId !== from && member.role !== 'guest' && give(member)) delivered++;
  return delivered;
}
