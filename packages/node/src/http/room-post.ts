import { parseRoomPost, sigmeshError, type PostResult, type RoomHash } from '@sigmesh/protocol';
import type { NodeContext } from '../node-context.js';
import { parseJsonBody } from './json-body.js';
import { payerOf, SESSION_HEADER } from './request-payer.js';

/** What a room post needs from its request, whichever route read it. */
export interface RoomPostRequest {
  readonly room: RoomHash;
  /** The exact body bytes (the proof is bound to them). */
  readonly body: Buffer;
  readonly token: string | undefined;
  readonly session: string | string[] | undefined;
  /** The client's address (behind a trusted proxy, the one it forwarded). */
  readonly address: string;
}

/**
 * `POST /room/HASH` after the room hash was read: publishes `{ data, to? }` to the room, or to
 * one peer. Checks, in order: PoW over the exact body bytes or the room hash (scope `room-post`, priced for the
 * member the session names), the session of a live member (nobody speaks as another peer), then
 * the body: UTF-8, JSON, shape. Answers with the next challenge; throws SigmeshErrors.
 */
export function postToRoom(ctx: NodeContext, request: RoomPostRequest): PostResult {
  const { room, body, session } = request;
  // Priced for the member whose session it names (or its address, when none is live).
  const payer = payerOf(ctx, request.address, room, session);
  // Bound to the body, or to the room hash (nodes list `room-bound-posts`): the same price,
  // paid before the member knows what it will say.
  ctx.pow.check(request.token, 'room-post', payer, body, room);
  const member = typeof session === 'string' ? ctx.rooms.bySession(room, session) : undefined;
  if (member === undefined || member.closed) {
    throw sigmeshError(
      'ROOM_SESSION_INVALID',
      `the ${SESSION_HEADER} header must hold the session of a live member of this room`,
    );
  }
  const post = parseRoomPost(parseJsonBody(body));
  if (!post.ok) throw sigmeshError(post.code, post.message);
  if (post.value.to !== undefined && !ctx.rooms.has(room, post.value.to)) {
    throw sigmeshError('ROOM_PEER_NOT_FOUND', `peer ${post.value.to} is not in this room`);
  }
  const { id, delivered } = ctx.rooms.publish(room, member.peerId, post.value.data, post.value.to);
  return { id, delivered, next: ctx.pow.offer('room-post', payer) };
}
