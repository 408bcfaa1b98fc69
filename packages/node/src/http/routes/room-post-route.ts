import { parseRoomHash, sigmeshError } from '@sigmesh/protocol';
import type { FastifyInstance } from 'fastify';
import type { NodeContext } from '../../node-context.js';
import { SESSION_HEADER } from '../request-payer.js';
import { requestPowToken } from '../request-pow-token.js';
import { postToRoom } from '../room-post.js';

/**
 * `POST /room/HASH` through Fastify: the requests the lean route ({@link leanRoomPost}) leaves
 * to it — a token in the query, a chunked or oversized body, another content type, a bad hash.
 * Same checks and answers ({@link postToRoom}).
 */
export function registerRoomPostRoute(app: FastifyInstance, ctx: NodeContext): void {
  app.post<{ Params: { hash: string } }>(
    '/room/:hash',
    { bodyLimit: ctx.config.maxMessageBytes },
    async (request) => {
      const room = parseRoomHash(request.params.hash);
      if (!room.ok) throw sigmeshError(room.code, room.message);
      return postToRoom(ctx, {
        room: room.value,
        body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        token: requestPowToken(request),
        session: request.headers[SESSION_HEADER],
        address: request.ip,
      });
    },
  );
}
