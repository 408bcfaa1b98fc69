import type { IncomingMessage } from 'node:http';

/**
 * The client's address for a request Fastify does not see (upgrades, the lean room post): the
 * socket's, or behind a trusted proxy the first `X-Forwarded-For` entry — what Fastify's
 * `request.ip` gives the other routes with `trustProxy: true`.
 */
export function clientAddress(request: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = request.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first !== undefined && first !== '') return first;
  }
  return request.socket.remoteAddress ?? 'unknown';
}
