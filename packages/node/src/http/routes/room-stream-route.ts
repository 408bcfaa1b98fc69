import { parseRoomHash, sigmeshError } from '@sigmesh/protocol';
import type { FastifyInstance } from 'fastify';
import { clientKey } from '../../pow/client-key.js';
import type { NodeContext } from '../../node-context.js';
import { requestPowToken } from '../request-pow-token.js';
import { joinRoomStream, STREAM_HEADERS } from '../room-join.js';
import { writeStreamHead } from '../stream-socket.js';

/**
 * `GET /room/HASH`: joins the room and streams its events as server-sent events (room-join.ts).
 * The common case — a lowercase hash, the token in the header or a plain `pow` parameter — is
 * answered before Fastify (lean-room-stream.ts); this route takes the rest: other query
 * parameters (an inbox owner's proof), malformed paths, escaped values.
 */
export function registerRoomStreamRoute(app: FastifyInstance, ctx: NodeContext): void {
  app.get<{ Params: { hash: string } }>('/room/:hash', async (request, reply) => {
    const room = parseRoomHash(request.params.hash);
    if (!room.ok) throw sigmeshError(room.code, room.message);
    const join = {
      room: room.value,
      key: clientKey(request.ip),
      token: requestPowToken(request),
      rawUrl: request.raw.url ?? '',
      owner: (request.query as Record<string, unknown>).owner,
    };
    joinRoomStream(ctx, join, () => {
      reply.hijack();
      const res = reply.raw;
      // Hijacked replies skip Fastify's send path, so carry over what hooks set (CORS) by hand.
      const hookHeaders = Object.entries(reply.getHeaders()).filter(
        (entry): entry is [string, string | number | string[]] => entry[1] !== undefined,
      );
      writeStreamHead(res, { ...Object.fromEntries(hookHeaders), ...STREAM_HEADERS });
      return res;
    });
  });
}
