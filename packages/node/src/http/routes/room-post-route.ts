import { parseRoomHash, sigmeshError } from '@sigmesh/protocol';
import type { FastifyInstance } from 'fastify';
import type { NodeContext } from '../../node-context.js';
import { paidPost } from '../paid-post.js';
import { requestPowToken } from '../request-pow-token.js';
import { postToRoom } from '../room-post.js';

/**
 * `POST /room/HASH` through Fastify: the requests the lean route ({@link leanRoomPost}) leaves
 * to it — a token in the query, a chunked or oversized body, another content type, a bad hash —
 * in either form (paid-post.ts).
 * Same checks and answers ({@link postToRoom}).
 */
export function registerRoomPostRoute(app: FastifyInstance, ctx: NodeContext): void {
  // No route bodyLimit: each content type's parser has its own (create-app.ts), the plain
  // form's larger by its head.
  app.post<{ Params: { hash: string } }>('/room/:hash', async (request, reply) => {
    const room = parseRoomHash(request.params.hash);
    if (!room.ok) throw sigmeshError(room.code, room.message);
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const post = paidPost(request.headers, body, ctx.config.maxMessageBytes);
    // The plain form names its session only here: its member may be on another worker.
    if (ctx.worker !== undefined && ctx.worker.movePost(request.raw, post.session, body)) {
      reply.hijack();
      return;
    }
    return postToRoom(ctx, {
      room: room.value,
      ...post,
      // The JSON form may also carry its token in the query (`?pow=`).
      token: post.token ?? requestPowToken(request),
      address: request.ip,
    });
  });
}
