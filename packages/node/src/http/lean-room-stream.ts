import type { IncomingMessage, ServerResponse } from 'node:http';
import { powTokenFromAuthorization, type RoomHash } from '@sigmesh/protocol';
import type { NodeContext } from '../node-context.js';
import { clientKey } from '../pow/client-key.js';
import { clientAddress } from './client-address.js';
import { toSigmeshError } from './error-reply.js';
import { OPEN_CORS, sendLeanError } from './lean-error-reply.js';
import { joinRoomStream, STREAM_HEADERS } from './room-join.js';
import { writeStreamHead } from './stream-socket.js';
import { countRefusedWork } from './unpaid-limit.js';

/** A join the lean route takes: `/room/`, a lowercase hash, and perhaps a query. */
const ROOM_STREAM_PATH = /^\/room\/([0-9a-f]{40})(?:\?(.*))?$/;
/** A `pow` value that means itself: nothing to unescape (a token is base64url and dots). */
const PLAIN_VALUE = /^[A-Za-z0-9._~-]*$/;
/** A stream's head: the CORS headers, then the stream's own. */
const STREAM_HEAD = { ...OPEN_CORS, ...STREAM_HEADERS };

/**
 * `GET /room/HASH`, a join, answered outside Fastify: a room stream then holds no Fastify
 * request and reply, their response listeners and contexts for as long as it is open (≈ 0.7 KB
 * of heap per idle member), and a join costs no hook chain. The same checks and the same
 * answers, byte for byte (room-join.ts; pinned by `test/integration/http/room-stream-wire.test.ts`).
 * It takes the common case: a lowercase room hash, a query of `pow` (once, nothing escaped) and
 * `hello` parameters or none; the token in `pow` or in `Authorization: PoW`. Everything else —
 * an inbox owner's proof, other parameters, escapes, a malformed path — returns false and goes
 * to the Fastify route, which answers it as before. The route is paid, so the unpaid limit
 * does not apply; a refusal the unpaid allowance caused still counts as refused work.
 */
export function leanRoomStream(
  ctx: NodeContext,
): (request: IncomingMessage, response: ServerResponse) => boolean {
  const { trustProxy } = ctx.config;
  return (request, response) => {
    if (request.method !== 'GET') return false;
    const url = request.url ?? '';
    const taken = leanJoinUrl(url);
    if (taken === undefined) return false;
    const join = {
      room: taken.room,
      key: clientKey(clientAddress(request, trustProxy)),
      token: powTokenFromAuthorization(request.headers.authorization) ?? taken.pow,
      rawUrl: url,
      owner: undefined,
    };
    try {
      joinRoomStream(ctx, join, () => {
        writeStreamHead(response, STREAM_HEAD);
        return response;
      });
    } catch (caught) {
      const error = toSigmeshError(caught, ctx.log);
      // After the head (a failure while joining, logged above as INTERNAL_ERROR): end the stream.
      if (response.headersSent) {
        response.destroy();
        return true;
      }
      sendLeanError(ctx, request, response, error);
      if (error.code === 'UNPAID_RATE_LIMITED') countRefusedWork(ctx, request);
    }
    return true;
  };
}

/**
 * The room and `pow` parameter of a join URL the lean route takes, or undefined for one it leaves
 * to Fastify: not `/room/` and a lowercase hash, a query with other parameters than `pow` (once,
 * nothing escaped) and `hello`.
 */
export function leanJoinUrl(url: string): { room: RoomHash; pow: string | undefined } | undefined {
  if (!url.startsWith('/room/')) return undefined;
  const match = ROOM_STREAM_PATH.exec(url);
  if (match === null) return undefined;
  let pow: string | undefined;
  if (match[2] !== undefined)
    for (const pair of match[2].split('&')) {
      if (pair.startsWith('hello=')) continue;
      if (!pair.startsWith('pow=') || pow !== undefined) return undefined;
      pow = pair.slice('pow='.length);
      if (!PLAIN_VALUE.test(pow)) return undefined;
    }
  return { room: match[1] as RoomHash, pow };
}
