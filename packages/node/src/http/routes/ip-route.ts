import type { IpInfo } from '@sigmesh/protocol';
import type { FastifyInstance } from 'fastify';
import { html, renderPage } from '../html-page.js';
import { wantsJson } from '../negotiate.js';

/** `GET /ip`: the client's address as this node sees it (X-Forwarded-For only with --trust-proxy). */
export function registerIpRoute(app: FastifyInstance): void {
  app.get('/ip', async (request, reply) => {
    const info: IpInfo = { ip: request.ip };
    reply.header('cache-control', 'no-store');
    if (wantsJson(request)) return info;
    return reply
      .type('text/html; charset=utf-8')
      .send(renderPage('Your address', html`<p><code>${info.ip}</code></p>`));
  });
}
