import { nodeFeatures, powScopes, type NodeInfo, type PowScope } from '@sigmesh/protocol';
import { retryAfterSeconds } from '../../pow/refusals.js';
import type { FastifyInstance } from 'fastify';
import { clientKey } from '../../pow/client-key.js';
import type { NodeContext } from '../../node-context.js';
import { wantsJson } from '../negotiate.js';
import { buildNodeStatus, round } from '../node-status.js';
import { renderStatusPage } from '../status-page.js';

/**
 * The page's policy: its one script is `/status.js` (no inline script, no eval), styles are
 * inline, and it may fetch `/status` from any node (http or https) to draw the mesh.
 */
const STATUS_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'unsafe-inline'",
  'connect-src http: https:',
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** `GET /`: who this node is, what a request costs the asking client now, and its load. */
export function registerRootRoute(app: FastifyInstance, ctx: NodeContext): void {
  app.get('/', async (request, reply) => {
    const payer = { address: clientKey(request.ip) };
    reply.header('cache-control', 'no-store');
    const quote = ctx.pricing.quote(payer);
    if (!wantsJson(request))
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', STATUS_PAGE_CSP)
        .send(renderStatusPage(buildNodeStatus(ctx), quote.price));
    // A stopping node answers probes with NODE_STOPPING, so clients choosing a node pass it over.
    ctx.rooms.checkOpen();
    // Over the cap the node would refuse every paid request of this client: it says until when,
    // and quotes no challenge it would not accept.
    let pow: NodeInfo['pow'];
    if (quote.over === undefined) {
      const challenges = {} as Record<PowScope, string>;
      for (const scope of powScopes) challenges[scope] = ctx.pow.offer(scope, payer).challenge;
      pow = { price: quote.price, ttl: ctx.config.powTtlSeconds, challenges };
    } else {
      const code = quote.over === 'load' ? 'NODE_OVERLOADED' : 'RATE_LIMITED';
      const refused = { code, retryAfter: retryAfterSeconds(quote.retryAfterMs) } as const;
      pow = { price: quote.price, ttl: ctx.config.powTtlSeconds, refused };
    }
    const load = ctx.load.current();
    const dht = ctx.discovery.status();
    const info: NodeInfo = {
      node: { id: ctx.identity.id, version: ctx.version, publicUrl: ctx.publicUrl() },
      pow,
      load: { cpu: round(load.cpu), mem: round(load.mem), smoothed: round(load.smoothed) },
      limits: { maxMessageBytes: ctx.config.maxMessageBytes },
      features: nodeFeatures,
      dht: {
        bootstrap: dht.bootstrap,
        bootstrapped: dht.bootstrapped,
        routingTableSize: dht.routingTableSize,
      },
      mesh: { links: ctx.mesh.linkCount },
    };
    return info;
  });
}
