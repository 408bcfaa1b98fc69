import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SigmeshError } from '@sigmesh/protocol';
import type { NodeContext } from '../node-context.js';
import { errorHeaders, errorPage, wantsErrorPage } from './error-reply.js';

/** The headers every answer of the open API carries (the CORS plugin's, origin `*`). */
export const OPEN_CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'www-authenticate, retry-after',
} as const;

/**
 * The answer `sendError` (error-reply.ts) gives, written on the raw response: for the routes
 * answered before Fastify (lean-room-post.ts, lean-room-stream.ts). Pinned byte for byte by the
 * wire tests (`test/integration/http/room-*-wire.test.ts`).
 */
export function sendLeanError(
  ctx: NodeContext,
  request: IncomingMessage,
  response: ServerResponse,
  error: SigmeshError,
): void {
  if (error.status < 500 || error.code !== 'INTERNAL_ERROR')
    ctx.log.debug({ code: error.code, url: request.url }, error.message);
  const page = wantsErrorPage(request);
  const body = page ? errorPage(error) : JSON.stringify(error.toBody());
  response.writeHead(error.status, {
    ...OPEN_CORS,
    ...errorHeaders(error),
    'content-type': page ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}
