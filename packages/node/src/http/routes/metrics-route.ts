import type { FastifyInstance } from 'fastify';
import { createNodeMetrics } from '../../metrics/node-metrics.js';
import type { NodeContext } from '../../node-context.js';

/**
 * `GET /metrics`: Prometheus text exposition of this node's counters and the process's. No PoW:
 * a scrape reads counters only; operators who want it private firewall the path (or run with
 * `--no-metrics`, when this route is not registered at all).
 */
export function registerMetricsRoute(app: FastifyInstance, ctx: NodeContext): void {
  const metrics = createNodeMetrics(ctx);
  app.get('/metrics', async (_request, reply) => {
    const text = await metrics.render();
    return reply.type(metrics.contentType).header('cache-control', 'no-store').send(text);
  });
}
