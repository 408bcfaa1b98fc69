#!/usr/bin/env node
// Builds the demo into dist/: index.html, app.css and app.js (one ESM bundle with its source map).
// `@sigmesh/client` is taken from the client's prebuilt browser bundle (dist/browser/
// sigmesh-client.js), which already carries its proof-of-work worker inlined
// (`__SIGMESH_POW_WORKER__`), so the app needs no worker file of its own. The type checker reads
// the client's declarations as usual; only the bundler is pointed at the browser build.
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const dist = `${root}dist`;
const clientBundle = createRequire(import.meta.url).resolve('@sigmesh/client/browser');
if (!existsSync(clientBundle)) {
  console.error(
    `demo build: ${clientBundle} is missing; build the client first (npm run build at the root)`,
  );
  process.exit(1);
}

/** Resolves the bare `@sigmesh/client` import to the browser bundle. */
const browserClient = {
  name: 'sigmesh-browser-client',
  setup(build) {
    build.onResolve({ filter: /^@sigmesh\/client$/ }, () => ({ path: clientBundle }));
  },
};

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
await build({
  entryPoints: [`${root}src/main.ts`],
  outfile: `${dist}/app.js`,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  plugins: [browserClient],
  // The client's Node-only branches (dynamic imports it never reaches in a browser).
  external: ['node:*'],
  logLevel: 'warning',
});
copyFileSync(`${root}src/index.html`, `${dist}/index.html`);
copyFileSync(`${root}src/app.css`, `${dist}/app.css`);
