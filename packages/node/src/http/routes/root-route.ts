import { powScopes, type NodeInfo, type PowScope } from '@sigmesh/protocol';
import type { FastifyInstance } from 'fastify';
import { clientKey } from '../../pow/client-key.js';
import type { NodeContext } from '../../node-context.js';
import { html, renderPage } from '../html-page.js';
import { wantsJson } from '../negotiate.js';

/** `GET /`: who this node is, what a request costs the asking client now, and its load. */
export function registerRootRoute(app: FastifyInstance, ctx: NodeContext): void {
  app.get('/', async (request, reply) => {
    const key = clientKey(request.ip);
    const challenges = {} as Record<PowScope, string>;
    for (const scope of powScopes) challenges[scope] = ctx.pow.offer(scope, key).challenge;
    const load = ctx.load.current();
    const dht = ctx.discovery.status();
    const info: NodeInfo = {
      node: { id: ctx.identity.id, version: ctx.version, publicUrl: ctx.publicUrl() },
      pow: { price: ctx.pricing.quote(key).price, ttl: ctx.config.powTtlSeconds, challenges },
      load: { cpu: round(load.cpu), mem: round(load.mem), smoothed: round(load.smoothed) },
      limits: { maxMessageBytes: ctx.config.maxMessageBytes },
      dht: {
        bootstrap: dht.bootstrap,
        bootstrapped: dht.bootstrapped,
        routingTableSize: dht.routingTableSize,
      },
      mesh: { links: ctx.mesh.stats().links },
    };
    reply.header('cache-control', 'no-store');
    if (wantsJson(request)) return info;
    const stats = ctx.rooms.stats();
    return reply.type('text/html; charset=utf-8').send(
      renderPage(
        'sigmesh node',
        html`<table>
            <tr>
              <th>Node id</th>
              <td class="mono">${info.node.id}</td>
            </tr>
            <tr>
              <th>Version</th>
              <td>${info.node.version}</td>
            </tr>
            <tr>
              <th>Public URL</th>
              <td class="mono">${info.node.publicUrl}</td>
            </tr>
            <tr>
              <th>PoW price</th>
              <td>${info.pow.price} hashes per request (for you, now)</td>
            </tr>
            <tr>
              <th>Load</th>
              <td>
                cpu ${pct(load.cpu)} · memory ${pct(load.mem)} · smoothed ${pct(load.smoothed)}
              </td>
            </tr>
            <tr>
              <th>Rooms</th>
              <td>${stats.rooms} rooms, ${stats.members} members</td>
            </tr>
            <tr>
              <th>DHT</th>
              <td>
                ${
                  dht.bootstrapped
                    ? `bootstrapped (${dht.routingTableSize} nodes in the routing table)`
                    : `not bootstrapped (bootstrap: ${dht.bootstrap}); serving local rooms, retrying`
                }
              </td>
            </tr>
            <tr>
              <th>Mesh</th>
              <td>${ctx.mesh.stats().links} links · <a href="/nodes">known nodes</a></td>
            </tr>
          </table>
          <p>
            API: <a href="/ip">/ip</a> · <code>GET /room/HASH</code> (server-sent events) ·
            <code>POST /room/HASH</code>
          </p>`,
      ),
    );
  });
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function pct(value: number): string {
  return `${Math.round(value * 100)}%`;
}
