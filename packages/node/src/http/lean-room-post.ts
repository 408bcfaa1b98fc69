import type { IncomingMessage, ServerResponse } from 'node:http';
import { isPlainPostType, PLAIN_POST_HEAD_MAX_BYTES, type RoomHash } from '@sigmesh/protocol';
import type { NodeContext } from '../node-context.js';
import { clientAddress } from './client-address.js';
import { toSigmeshError } from './error-reply.js';
import { OPEN_CORS, sendLeanError } from './lean-error-reply.js';
import { paidPost } from './paid-post.js';
import { postResultJson } from './post-result-json.js';
import { postToRoom } from './room-post.js';
import { countRefusedWork } from './unpaid-limit.js';

/** A room post the lean route takes: the path is `/room/` and a lowercase hash, nothing more. */
const ROOM_POST_PATH = /^\/room\/([0-9a-f]{40})$/;
/** The JSON content types it takes (what browsers' fetch sends), besides the plain form's. */
const JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8']);
/** A success's headers before its length, as Node's flat list (no object built per answer). */
const OK_HEADERS = [
  ...Object.entries(OPEN_CORS).flat(),
  'content-type',
  'application/json; charset=utf-8',
];

/**
 * `POST /room/HASH`, the node's hottest request, answered outside Fastify: no request and reply
 * objects, no hook chain, no content-type parser, no promise per request — the same checks
 * ({@link postToRoom}) and the same answers, byte for byte (pinned by
 * `test/integration/http/room-post-wire.test.ts`). It takes only the common case: a lowercase
 * room hash and no query, a JSON content type or the plain form's `text/plain` (paid-post.ts),
 * a `Content-Length` within `--max-message-bytes` (and the plain form's head) and no
 * `Transfer-Encoding`. Everything else — a token in the query, a chunked or oversized
 * body, another content type, a malformed path — returns false and goes to the Fastify route,
 * which answers it as before. The route is paid, so the unpaid limit does not apply; a
 * refusal the unpaid allowance caused still counts as refused work, as in Fastify's hooks.
 */
export function leanRoomPost(
  ctx: NodeContext,
): (request: IncomingMessage, response: ServerResponse) => boolean {
  const { maxMessageBytes, trustProxy } = ctx.config;
  return (request, response) => {
    if (request.method !== 'POST') return false;
    const url = request.url ?? '';
    if (!url.startsWith('/room/')) return false;
    const match = ROOM_POST_PATH.exec(url);
    if (match === null) return false;
    const { headers } = request;
    const type = headers['content-type'];
    // The plain form (paid-post.ts) carries its token and session at the head of the body.
    const plain = isPlainPostType(type);
    if (type === undefined || !(plain || JSON_TYPES.has(type.toLowerCase()))) return false;
    if (headers['transfer-encoding'] !== undefined) return false;
    const length = Number(headers['content-length']);
    const limit = plain ? maxMessageBytes + PLAIN_POST_HEAD_MAX_BYTES : maxMessageBytes;
    if (!Number.isSafeInteger(length) || length <= 0 || length > limit) return false;

    // One chunk is the usual case (a post fits a packet); more are joined at the end.
    let first: Buffer | undefined;
    let rest: Buffer[] | undefined;
    request.on('data', (chunk: Buffer) => {
      if (first === undefined) first = chunk;
      else (rest ??= []).push(chunk);
    });
    request.on('end', () => {
      const body =
        rest === undefined ? (first ?? Buffer.alloc(0)) : Buffer.concat([first!, ...rest]);
      try {
        const post = paidPost(headers, body, maxMessageBytes);
        // The plain form names its session only here: its member may be on another worker.
        if (ctx.worker?.movePost(request, post.session, body) === true) return;
        const result = postToRoom(ctx, {
          room: match[1] as RoomHash,
          ...post,
          address: clientAddress(request, trustProxy),
        });
        const json = postResultJson(result);
        response.writeHead(200, [...OK_HEADERS, 'content-length', String(json.length)]);
        response.end(json);
      } catch (caught) {
        const error = toSigmeshError(caught, ctx.log);
        sendLeanError(ctx, request, response, error);
        if (error.code === 'UNPAID_RATE_LIMITED') countRefusedWork(ctx, request);
      }
    });
    return true;
  };
}
