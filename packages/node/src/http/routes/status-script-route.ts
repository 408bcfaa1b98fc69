import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

/**
 * `GET /status.js`: the status page's script, a static file read once. A separate file rather
 * than an inline script, so the page can run under a CSP with `script-src 'self'`. The path is
 * relative to the package root, the same from `src/` and from `dist/`.
 */
export function registerStatusScriptRoute(app: FastifyInstance): void {
  const script = readFileSync(new URL('../../../assets/status-page.js', import.meta.url));
  app.get('/status.js', async (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .send(script),
  );
}
