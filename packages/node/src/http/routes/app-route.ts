import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { sigmeshError } from '@sigmesh/protocol';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../log/create-logger.js';
import { sendError } from '../error-reply.js';

/**
 * The demo app's policy: its own script and styles only (no inline code); `'wasm-unsafe-eval'`
 * for hash-wasm (file digests, and the client's PoW worker, which a blob: worker runs under this
 * same policy); fetches and event streams to any node over http(s), since the client moves on to
 * other nodes it learns from `/nodes`; media from blob: and live streams.
 */
export const APP_CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  'worker-src blob:',
  "style-src 'self'",
  "connect-src 'self' http: https:",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Camera, microphone and screen for this origin only (no embedding page gets them). */
const PERMISSIONS_POLICY = 'camera=(self), microphone=(self), display-capture=(self)';

/**
 * Where the built demo lives: `dist/` of the `@sigmesh/demo` package, found the way Node finds
 * any dependency. Undefined when the package is not installed.
 */
export function demoDistDir(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve('@sigmesh/demo/package.json');
    return join(dirname(manifest), 'dist');
  } catch {
    return undefined;
  }
}

/**
 * `GET /app/…`: the demo app (static files of `@sigmesh/demo`); `/app` redirects to `/app/`.
 * Without a built demo (no `index.html` when the node starts) every `/app` path answers 503
 * APP_NOT_BUILT, as a page for browsers and JSON for programs.
 */
export async function registerAppRoute(
  app: FastifyInstance,
  log: Logger,
  root: string | undefined = demoDistDir(),
): Promise<void> {
  if (root === undefined || !existsSync(join(root, 'index.html'))) {
    const notBuilt = sigmeshError(
      'APP_NOT_BUILT',
      root === undefined
        ? 'the demo app is not installed on this node (the @sigmesh/demo package is missing)'
        : `the demo app is not built on this node (${join(root, 'index.html')} is missing): run npm run build, then restart the node`,
    );
    const refuse = async (
      request: Parameters<typeof sendError>[0],
      reply: Parameters<typeof sendError>[1],
    ) => sendError(request, reply, notBuilt, log);
    app.get('/app', refuse);
    app.get('/app/*', refuse);
    return;
  }
  // `/app` → `/app/`, so the relative URLs in index.html resolve under /app/ (a shared link's
  // `#room=…` stays: browsers carry the fragment across redirects).
  app.get('/app', async (request, reply) => {
    const query = request.url.indexOf('?');
    return reply.redirect(`/app/${query === -1 ? '' : request.url.slice(query)}`, 301);
  });
  await app.register(fastifyStatic, {
    root,
    prefix: '/app/',
    index: 'index.html',
    // The names are not content-hashed: always revalidate (ETag / Last-Modified keep it cheap).
    cacheControl: false,
    decorateReply: false,
    setHeaders: (response) => {
      response.setHeader('cache-control', 'no-cache');
      response.setHeader('content-security-policy', APP_CSP);
      response.setHeader('permissions-policy', PERMISSIONS_POLICY);
      response.setHeader('x-content-type-options', 'nosniff');
      response.setHeader('referrer-policy', 'no-referrer');
      response.setHeader('cross-origin-opener-policy', 'same-origin');
    },
  });
}
