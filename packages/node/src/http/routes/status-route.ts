import type { FastifyInstance } from 'fastify';
import type { NodeContext } from '../../node-context.js';
import { buildNodeStatus } from '../node-status.js';

/**
 * `GET /status`: this node's live state and its mesh links, always JSON. The status page at `/`
 * polls it here and on every node it learns about (CORS is open) to draw the mesh. Free: it
 * reads counters only, like `/`.
 */
export function registerStatusRoute(app: FastifyInstance, ctx: NodeContext): void {
  app.get('/status', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return buildNodeStatus(ctx);
  });
}
