import type { NodeList, NodeListing } from '@sigmesh/protocol';
import type { FastifyInstance } from 'fastify';
import type { NodeContext } from '../../node-context.js';
import { html, renderPage } from '../html-page.js';
import { wantsJson } from '../negotiate.js';

/** Nodes verified longer ago than this are not listed. */
const LISTED_MAX_AGE_MS = 30 * 60_000;
/** Most nodes in one answer; the selection is random so clients learn different nodes. */
const MAX_LISTED = 20;

/**
 * `GET /nodes`: a random selection of recently seen nodes whose signed DHT descriptor and mesh
 * handshake both checked out, with URL and current price (from the descriptor).
 */
export function registerNodesRoute(app: FastifyInstance, ctx: NodeContext): void {
  app.get('/nodes', async (request, reply) => {
    const descriptors = new Map(
      ctx.discovery.knownNodes().map((node) => [node.descriptor.id, node.descriptor]),
    );
    const listed: NodeListing[] = [];
    for (const { id, verifiedAt } of ctx.mesh.verifiedNodes(LISTED_MAX_AGE_MS)) {
      const descriptor = descriptors.get(id);
      if (descriptor === undefined) continue;
      listed.push({
        id,
        url: descriptor.url,
        price: descriptor.price,
        version: descriptor.version,
        verifiedAt,
      });
    }
    const list: NodeList = { nodes: shuffle(listed).slice(0, MAX_LISTED) };
    reply.header('cache-control', 'no-store');
    if (wantsJson(request)) return list;
    return reply.type('text/html; charset=utf-8').send(
      renderPage(
        'Known nodes',
        list.nodes.length === 0
          ? html`<p>No verified nodes yet.</p>`
          : html`<table>
              <tr>
                <th>Node</th>
                <th>Price</th>
                <th>Verified</th>
              </tr>
              ${list.nodes.map(
                (node) =>
                  html`<tr>
                    <td><a href="${node.url}">${node.url}</a></td>
                    <td>${node.price}</td>
                    <td>${new Date(node.verifiedAt).toISOString()}</td>
                  </tr>`,
              )}
            </table>`,
      ),
    );
  });
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
