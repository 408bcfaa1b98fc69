#!/usr/bin/env node
// Bundles the client for browsers: dist/browser/sigmesh-client.js (ESM) and
// sigmesh-client.global.js (a classic script defining `sigmesh`). The PoW worker is bundled
// first and inlined as text, so the library works from one file with no worker URL to serve.
import { mkdirSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const worker = await build({
  entryPoints: [`${root}src/pow/pow-worker-browser.ts`],
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  write: false,
  logLevel: 'warning',
});
const workerSource = worker.outputFiles[0].text;

mkdirSync(`${root}dist/browser`, { recursive: true });
const common = {
  entryPoints: [`${root}src/index.ts`],
  bundle: true,
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  define: { __SIGMESH_POW_WORKER__: JSON.stringify(workerSource) },
  // Node-only branches (the PoW worker thread, the identity file store): dynamic imports a browser never reaches.
  external: ['node:*'],
  logLevel: 'warning',
};
await build({ ...common, format: 'esm', outfile: `${root}dist/browser/sigmesh-client.js` });
await build({
  ...common,
  format: 'iife',
  globalName: 'sigmesh',
  outfile: `${root}dist/browser/sigmesh-client.global.js`,
});
