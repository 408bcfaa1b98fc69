import { parseRoomHash, parseRoomPost, sigmeshError, type PostResult } from '@sigmesh/protocol';
import type { FastifyInstance } from 'fastify';
import type { NodeContext } from '../../node-context.js';
import { parseJsonBody } from '../json-body.js';
import { requestPayer } from '../request-payer.js';
import { requestPowToken } from '../request-pow-token.js';

/** The header carrying the session token from the member's `welcome` event. */
export const SESSION_HEADER = 'sigmesh-session';

/**
 * `POST /room/HASH`: publishes `{ data, to? }` to the room, or to one peer. Checks, in order:
 * room hash, PoW over the exact body bytes (scope `room-post`, priced for the member the session
 * names), the session of a live member (nobody speaks as another peer), then the body: UTF-8,
 * JSON, shape. Answers with the next challenge.
 */
export function registerRoomPostRoute(app: FastifyInstance, ctx: NodeContext): void {
  app.post<{ Params: { hash: string } }>(
    '/room/:hash',
    { bodyLimit: ctx.config.maxMessageBytes },
    async (request) => {
      const room = parseRoomHash(request.params.hash);
      if (!room.ok) throw sigmeshError(room.code, room.message);
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      // Priced for the member whose session it names (or its address, when none is live).
      const payer = requestPayer(request, ctx, room.value);
      ctx.pow.check(requestPowToken(request), 'room-post', payer, body);

      const session = request.headers[SESSION_HEADER];
      const member =
        typeof session === 'string' ? ctx.rooms.bySession(room.value, session) : undefined;
      if (member === undefined || member.closed) {
        throw sigmeshError(
          'ROOM_SESSION_INVALID',
          `the ${SESSION_HEADER} header must hold the session of a live member of this room`,
        );
      }
      const post = parseRoomPost(parseJsonBody(body));
      if (!post.ok) throw sigmeshError(post.code, post.message);
      if (post.value.to !== undefined && !ctx.rooms.has(room.value, post.value.to)) {
        throw sigmeshError('ROOM_PEER_NOT_FOUND', `peer ${post.value.to} is not in this room`);
      }
      const { id, delivered } = ctx.rooms.publish(
        room.value,
        member.peerId,
        post.value.data,
        post.value.to,
      );
      const result: PostResult = { id, delivered, next: ctx.pow.offer('room-post', payer) };
      return result;
    },
  );
}
