import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';

/** The WebTorrent release whose browser build (dist/webtorrent.min.js, an ES module) is tested. */
export const WEBTORRENT_VERSION = '3.0.21';

const cache = fileURLToPath(new URL('../../node_modules/.cache/sigmesh-e2e/', import.meta.url));

/**
 * WebTorrent's own browser build, unchanged, from its npm package: fetched at install time by
 * `fetch-webtorrent.mjs` (e2e's postinstall), because the tests run without the registry.
 */
export function webtorrentBuild(): string {
  const file = `${cache}webtorrent-${WEBTORRENT_VERSION}/package/dist/webtorrent.min.js`;
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm install (e2e postinstall)`);
  return readFileSync(file, 'utf8');
}

/**
 * A page on `origin` (a node's URL: http://127.0.0.1 is a secure context, which Trystero's
 * WebCrypto needs, and a loopback page may open WebSockets to loopback under Chromium's local
 * network access checks) in a fresh browser context.
 */
export async function openPage(browser: Browser, origin: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${origin}/ip`);
  return page;
}

/** Loads WebTorrent's ES module build into `page` as `window.WebTorrent` (through a blob URL). */
export async function loadWebTorrent(page: Page, build: string): Promise<void> {
  await page.evaluate(async (code) => {
    const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
    const module = (await import(url)) as { default: unknown };
    (window as unknown as { WebTorrent: unknown }).WebTorrent = module.default;
  }, build);
}
