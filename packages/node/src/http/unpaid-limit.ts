import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { clientKey } from '../pow/client-key.js';
import { unpaidRefusal } from '../pow/refusals.js';
import { sendError } from './error-reply.js';
import type { NodeContext } from '../node-context.js';

/**
 * Routes that take proof-of-work (method and Fastify route pattern). They charge the unpaid
 * allowance themselves, only when the proof fails (PowGate.check). Every other request — the
 * free endpoints, the app's files, CORS preflights, unknown paths — is unpaid: a route added
 * later is limited until it is listed here.
 */
const PAID_ROUTES = new Set([
  'GET /room/:hash',
  'POST /room/:hash',
  'POST /token',
  'GET /dht-get',
  'POST /dht-put',
]);

/** When the HTTP server handed the request over (before Fastify's routing and hooks). */
const arrivedAt = Symbol('sigmesh.arrivedAt');
/** Set on requests refused as UNPAID_RATE_LIMITED: their cost is left out of the price's load. */
const refused = Symbol('sigmesh.refusedUnpaid');
type TimedRequest = IncomingMessage & { [arrivedAt]?: number; [refused]?: boolean };

/**
 * Rate-limits requests without proof-of-work per address (`--unpaid-requests-per-second`,
 * `--unpaid-burst`; 429 UNPAID_RATE_LIMITED with a truthful Retry-After), CORS preflights
 * included (register it before the CORS plugin), and measures the
 * event-loop time every such refusal takes, from the moment the server emits the request to
 * the end of the response, into `ctx.refusedWork`: the price follows the load less that share,
 * so a flood the node turns away cannot raise what paying clients pay.
 */
export function registerUnpaidLimit(app: FastifyInstance, ctx: NodeContext): void {
  app.server.prependListener('request', (request: TimedRequest) => {
    request[arrivedAt] = performance.now();
  });
  app.addHook('onRequest', async (request, reply) => {
    if (PAID_ROUTES.has(`${request.method} ${request.routeOptions.url ?? ''}`)) return;
    const allowance = ctx.unpaid.take(clientKey(request.ip));
    if (allowance.ok) return;
    // This hook runs before the CORS hook (so preflights are counted too), so the refusal
    // carries the node's open CORS headers itself: a page must be able to read Retry-After.
    reply.header('access-control-allow-origin', '*');
    reply.header('access-control-expose-headers', 'www-authenticate, retry-after');
    (request.raw as TimedRequest)[refused] = true;
    return sendError(request, reply, unpaidRefusal(allowance.retryAfterMs), ctx.log);
  });
  app.addHook('onError', async (request, _reply, error) => {
    if ((error as { code?: unknown }).code === 'UNPAID_RATE_LIMITED')
      (request.raw as TimedRequest)[refused] = true;
  });
  app.addHook('onResponse', async (request) => {
    if ((request.raw as TimedRequest)[refused] === true) countRefusedWork(ctx, request.raw);
  });
}

/** Adds the event-loop time a refused request took, from its arrival until now, to `ctx.refusedWork`. */
export function countRefusedWork(ctx: NodeContext, request: IncomingMessage): void {
  const start = (request as TimedRequest)[arrivedAt];
  if (start !== undefined) ctx.refusedWork.add(performance.now() - start);
}
