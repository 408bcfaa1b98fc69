import type { PostResult } from '@sigmesh/protocol';

/**
 * `JSON.stringify(result)` for a room post's answer, written out: ≈ 40 ns against ≈ 530 ns for
 * the call, on the node's hottest request. Byte for byte the same (pinned by the unit test and
 * the room-post wire test), because every string in it needs no escaping by construction: the
 * message id is hex (`RoomRegistry.publish`), the challenge base64url (`PowGate`), the scope a
 * fixed name; the rest are integers. The answer is therefore ASCII: its length is its byte count.
 */
export function postResultJson({ id, delivered, next }: PostResult): string {
  return `{"id":"${id}","delivered":${delivered},"next":{"challenge":"${next.challenge}","difficulty":${next.difficulty},"scope":"${next.scope}"}}`;
}
