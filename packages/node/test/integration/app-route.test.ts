import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SigmeshError } from '@sigmesh/protocol';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { sendError } from '../../src/http/error-reply.js';
import { APP_CSP, demoDistDir, registerAppRoute } from '../../src/http/routes/app-route.js';
import { startTestNode } from '../helpers/test-node.js';

const demoDist = demoDistDir();

test('the node resolves the demo through the @sigmesh/demo package', () => {
  assert.ok(demoDist !== undefined, '@sigmesh/demo is installed (a dependency of @sigmesh/node)');
  assert.ok(
    existsSync(join(demoDist, 'index.html')),
    `${demoDist}/index.html exists: run npm run build first`,
  );
});

test('every node serves the built demo at /app/ under the app CSP; /app redirects', async (t) => {
  const node = await startTestNode(t);
  const redirect = await fetch(`${node.url()}/app`, { redirect: 'manual' });
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.get('location'), '/app/');

  const page = await fetch(`${node.url()}/app/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(page.headers.get('content-security-policy'), APP_CSP);
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(page.headers.get('cache-control'), 'no-cache');
  const html = await page.text();
  assert.match(html, /<script type="module" src="app\.js"><\/script>/);
  assert.doesNotMatch(html, /<script>/, 'no inline script: the CSP would block it');

  for (const [file, type] of [
    ['app.js', /javascript/],
    ['app.css', /^text\/css/],
  ] as const) {
    const response = await fetch(`${node.url()}/app/${file}`);
    assert.equal(response.status, 200, file);
    assert.match(response.headers.get('content-type') ?? '', type, file);
    assert.ok((await response.arrayBuffer()).byteLength > 1000, `${file} is not empty`);
  }

  const missing = await fetch(`${node.url()}/app/nope.js`, {
    headers: { accept: 'application/json' },
  });
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as { code: string }).code, 'NOT_FOUND');
  const escape = await fetch(`${node.url()}/app/..%2f..%2fpackage.json`);
  assert.notEqual(escape.status, 200, 'no path outside dist/');
});

/** A bare app with the node's error path, serving the app from `root`. */
async function appServing(root: string): Promise<FastifyInstance> {
  const log = pino({ level: 'silent' });
  const app = Fastify();
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, new SigmeshError('NOT_FOUND', 'no route'), log),
  );
  await registerAppRoute(app, log, root);
  return app;
}

test('without a built demo /app/ answers 503 APP_NOT_BUILT, as JSON and as a page', async (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'sigmesh-no-demo-'));
  t.after(() => rmSync(empty, { recursive: true, force: true }));
  const app = await appServing(empty);
  t.after(() => app.close());

  for (const url of ['/app', '/app/', '/app/app.js']) {
    const json = await app.inject({ url, headers: { accept: 'application/json' } });
    assert.equal(json.statusCode, 503, url);
    const body = JSON.parse(json.body) as { code: string; message: string };
    assert.equal(body.code, 'APP_NOT_BUILT');
    assert.match(body.message, /npm run build/);
  }
  const page = await app.inject({ url: '/app/', headers: { accept: 'text/html' } });
  assert.equal(page.statusCode, 503);
  assert.match(page.headers['content-type'] as string, /^text\/html/);
  assert.match(page.body, /APP_NOT_BUILT/);
  assert.match(page.body, /not built/);
});
