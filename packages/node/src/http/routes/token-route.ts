import { randomBytes } from 'node:crypto';
import { parseRoomHash, sigmeshError, type TokenResult } from '@sigmesh/protocol';
import type { FastifyInstance } from 'fastify';
import type { NodeContext } from '../../node-context.js';
import { paidPost } from '../paid-post.js';
import { payerOf } from '../request-payer.js';
import { requestPowToken } from '../request-pow-token.js';

/**
 * `POST /token`: TURN credentials as an RTCIceServer list, for proof-of-work (scope `token`, bound
 * to the exact body bytes, usually `{}`: any JSON, anything else is BAD_JSON; charged to the
 * member named by `?room=` and `Sigmesh-Session` when there is one; or the plain form,
 * paid-post.ts). The credentials are for
 * this node's own TURN server, or for the external one configured with `--turn-external`.
 * Answers with the next challenge.
 */
export function registerTokenRoute(app: FastifyInstance, ctx: NodeContext): void {
  app.post<{ Querystring: { room?: unknown } }>('/token', async (request) => {
    // Either form (paid-post.ts): the token and session in headers, or at the head of a
    // text/plain body; the proof binds the JSON either way.
    const post = paidPost(
      request.headers,
      Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
      ctx.config.maxMessageBytes,
    );
    const { body } = post;
    // `?room=HASH` with the member's session charges the member (its paid join), not only its
    // address; without them the request is priced for the address.
    const room =
      typeof request.query.room === 'string' ? parseRoomHash(request.query.room) : undefined;
    if (room !== undefined && !room.ok) throw sigmeshError(room.code, room.message);
    const payer = payerOf(ctx, request.ip, room?.value, post.session);
    ctx.pow.check(post.token ?? requestPowToken(request), 'token', payer, body);
    // The body is paid for but not read: it must still be JSON (usually `{}`), as documented, so
    // it can carry fields later without old nodes accepting garbage (issue 11). An empty body is
    // refused by Fastify first (BAD_JSON); a request without a body and content type passes.
    if (body.length > 0) {
      try {
        JSON.parse(body.toString('utf8'));
      } catch {
        throw sigmeshError('BAD_JSON', 'the body is not valid JSON (send {})');
      }
    }
    // The id part of the REST username only has to be unique-ish and free of ':'; a random one
    // does not leak the client's address into the TURN server's logs.
    const list = ctx.turn.iceServers(randomBytes(6).toString('hex'), request.host);
    if (list === undefined)
      throw sigmeshError(
        'TURN_UNAVAILABLE',
        'this node runs no TURN server and has no external one configured',
      );
    const result: TokenResult = {
      iceServers: list.iceServers,
      ttl: list.ttl,
      next: ctx.pow.offer('token', payer),
    };
    return result;
  });
}
