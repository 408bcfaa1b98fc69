import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { htmlPage, type StaticFile } from './static-server.js';

/** The client's browser bundle as apps load it (a classic script defining `sigmesh`). */
export const SIGMESH_BUNDLE = fileURLToPath(
  new URL('../../packages/client/dist/browser/sigmesh-client.global.js', import.meta.url),
);

const common: BuildOptions = {
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  write: false,
  logLevel: 'warning',
  conditions: ['source'],
};

async function bundle(entry: string, options: BuildOptions = {}): Promise<string> {
  const result = await build({
    ...common,
    ...options,
    entryPoints: [fileURLToPath(new URL(`./pages/${entry}`, import.meta.url))],
  });
  return result.outputFiles?.[0]?.text ?? '';
}

const js = (body: string): StaticFile => ({ type: 'text/javascript; charset=utf-8', body });

/** The instrumentation every connect-time page gets as an init script (see pages/instrument.ts). */
export function instrumentScript(): Promise<string> {
  return bundle('instrument.ts');
}

/** The sigmesh bundle, or a clear error when `npm run build` has not made it. */
export function sigmeshBundle(): string {
  if (!existsSync(SIGMESH_BUNDLE))
    throw new Error(`${SIGMESH_BUNDLE} is missing: run npm run build first`);
  return readFileSync(SIGMESH_BUNDLE, 'utf8');
}

/**
 * The connect-time pages: `/sigmesh.html` (the client bundle, then the page script) and
 * `/tracker.html` (bittorrent-tracker's browser client bundled with the page script; it needs
 * Node's `events` and a `process` with `browser`, `env` and `nextTick`, as WebTorrent's bundles
 * provide). With `altBundle` (a path), `/sigmesh-alt.html` loads that client bundle instead:
 * a client change measured against the built client in the same run.
 */
export async function connectPages(altBundle?: string): Promise<Map<string, StaticFile>> {
  const [sigmeshPage, trackerPage] = await Promise.all([
    bundle('sigmesh-page.ts'),
    bundle('tracker-page.ts', {
      define: { 'process.browser': 'true', global: 'globalThis' },
      banner: {
        js: 'var process={browser:true,env:{},nextTick:function(f){var a=[].slice.call(arguments,1);queueMicrotask(function(){f.apply(null,a)})}};',
      },
    }),
  ]);
  const alt: Array<[string, StaticFile]> =
    altBundle === undefined
      ? []
      : [
          [
            '/sigmesh-alt.html',
            htmlPage('sigmesh', ['/sigmesh-client-alt.global.js', '/sigmesh-page.js']),
          ],
          ['/sigmesh-client-alt.global.js', js(readFileSync(altBundle, 'utf8'))],
        ];
  return new Map([
    ...alt,
    ['/sigmesh.html', htmlPage('sigmesh', ['/sigmesh-client.global.js', '/sigmesh-page.js'])],
    ['/sigmesh-client.global.js', js(sigmeshBundle())],
    ['/sigmesh-page.js', js(sigmeshPage)],
    ['/tracker.html', htmlPage('tracker', ['/tracker-page.js'])],
    ['/tracker-page.js', js(trackerPage)],
  ]);
}

/**
 * The PoW pages: `/pow.html` (the client bundle, then the page script with its raw-search worker
 * inlined) and `/pow-cold.html` (the client bundle and a solver cold-start probe, nothing else).
 */
export async function powPages(): Promise<Map<string, StaticFile>> {
  const worker = await bundle('pow-raw-worker.ts');
  const page = await bundle('pow-page.ts', {
    define: { __RAW_WORKER__: JSON.stringify(worker) },
  });
  const cold = await bundle('pow-cold-page.ts');
  return new Map([
    [
      '/pow-cold.html',
      htmlPage('pow cold start', ['/sigmesh-client.global.js', '/pow-cold-page.js']),
    ],
    ['/pow-cold-page.js', js(cold)],
    ['/pow.html', htmlPage('pow', ['/sigmesh-client.global.js', '/pow-page.js'])],
    ['/sigmesh-client.global.js', js(sigmeshBundle())],
    ['/pow-page.js', js(page)],
  ]);
}
