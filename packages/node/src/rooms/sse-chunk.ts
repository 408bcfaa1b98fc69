import type { RoomEventName, WelcomeEvent } from '@sigmesh/protocol';

/**
 * One server-sent event, encoded once so fan-out writes the same bytes to every member
 * (WHATWG HTML §9.2). JSON.stringify never emits a raw newline, so one `data:` line suffices.
 */
export function sseChunk(event: RoomEventName, data: unknown): Buffer {
  return Buffer.from(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/**
 * The `welcome` event with its member list given as JSON array elements in pieces (see
 * `RoomRegistry.peerListBytes`), without copying them: the bytes are exactly
 * `sseChunk('welcome', { ...welcome, members })`, fields in WelcomeEvent's order.
 */
export function sseWelcome(
  welcome: Omit<WelcomeEvent, 'members'>,
  members: readonly Buffer[],
): Buffer[] {
  // The fields after `members` keep the order they have in `welcome` (heartbeatMs, pow, hello).
  const { peerId, session, room, nodeId, ...after } = welcome;
  const head = JSON.stringify({ peerId, session, room, nodeId }).slice(0, -1);
  const tail = JSON.stringify(after).slice(1);
  return [
    Buffer.from(`event: welcome\ndata: ${head},"members":[`),
    ...members,
    Buffer.from(`],${tail}\n\n`),
  ];
}
