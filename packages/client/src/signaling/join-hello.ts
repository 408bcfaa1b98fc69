import type { PeerId, RoomHash } from '@sigmesh/protocol';
import type { HelloSigner } from './client-identity.js';
import type { PayloadCodec } from './payload-codec.js';

/**
 * The body of the first post to carry in a join (`GET /room/HASH?hello=`): this client's hello
 * for member `memberId` on node `nodeId` — the id the node derives from the join's token, so
 * the signature binds it as a posted hello's does — sealed like every payload. Undefined while
 * the room key is still being derived (the join does not wait for it: the hello is then posted
 * after the welcome, as on nodes without `join-hello`), or when it would not fit one post.
 */
export async function joinHelloBody(
  identity: HelloSigner,
  codec: PayloadCodec,
  room: RoomHash,
  nodeId: string,
  memberId: PeerId,
  maxMessageBytes: number,
): Promise<string | undefined> {
  if (!codec.keyReady) return undefined;
  const hello = await identity.hello(room, memberId, nodeId, false);
  const parts = await codec.encode(hello, memberId, undefined, maxMessageBytes);
  return parts.length === 1 ? JSON.stringify({ data: parts[0] }) : undefined;
}
