import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { createTestnet, type SigmeshNode } from '@sigmesh/node';
import { pino } from 'pino';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import type * as Trystero from 'trystero';
import { CHROMIUM, CHROMIUM_FLAGS } from '../../packages/node/test/helpers/chromium.js';

export { noChromium } from '../../packages/node/test/helpers/chromium.js';

/** What a test page records of its Trystero room (on `window.log`). */
export interface TrysteroLog {
  readonly selfId: string;
  /** When the page joined the room (Date.now() in the page). */
  readonly startedAt: number;
  readonly joined: string[];
  /** When each of `joined` joined (Date.now() in the page). */
  readonly joinedAt: number[];
  readonly messages: Array<{ data: unknown; from: string }>;
  readonly warnings: string[];
}

/** Which Trystero strategy a page runs. */
export type Strategy = 'nostr' | 'ws-relay' | 'torrent';

const entries: Record<Strategy, string> = {
  // npm `trystero`: its default, the Nostr strategy.
  nostr: "export * from 'trystero';",
  // Not on npm: its source (vendor/) with npm's @trystero-p2p/core.
  'ws-relay': "export { joinRoom, selfId } from './vendor/trystero-ws-relay.mjs';",
  // npm `@trystero-p2p/torrent`: the WebTorrent-tracker strategy.
  torrent: "export { joinRoom, selfId } from '@trystero-p2p/torrent';",
};
const bundles = new Map<Strategy, string>();

/**
 * Trystero, unchanged, bundled for the page with esbuild as one script defining
 * `window.trystero`.
 */
export async function trysteroBundle(strategy: Strategy = 'nostr'): Promise<string> {
  const cached = bundles.get(strategy);
  if (cached !== undefined) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'sigmesh-trystero-'));
  const outfile = join(dir, 'trystero.js');
  await build({
    stdin: {
      contents: entries[strategy],
      resolveDir: new URL('.', import.meta.url).pathname,
    },
    outfile,
    bundle: true,
    format: 'iife',
    globalName: 'trystero',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'warning',
  });
  const bundle = readFileSync(outfile, 'utf8');
  bundles.set(strategy, bundle);
  return bundle;
}

/** One Chromium for the test (fresh profile), closed at the end. */
export async function launchChromium(t: TestContext): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  t.after(() => browser.close());
  return browser;
}

/** A page in its own context on `origin` (a node URL: loopback is a secure context) with Trystero loaded; every URL it opens is recorded. */
export async function openTrysteroPage(
  browser: Browser,
  origin: string,
  strategy: Strategy = 'nostr',
): Promise<{ page: Page; urls: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const urls: string[] = [];
  page.on('request', (request) => urls.push(request.url()));
  page.on('websocket', (socket) => urls.push(socket.url()));
  await page.goto(`${origin}/ip`);
  await page.addScriptTag({ content: await trysteroBundle(strategy) });
  return { page, urls };
}

/**
 * Joins a Trystero room in the page with only `relayUrls` as relays and no STUN servers (its
 * defaults are public hosts), and records peers, messages of action `chat` and relay warnings.
 */
export async function joinTrysteroRoom(
  page: Page,
  options: { appId: string; roomId: string; relayUrls: string[]; password?: string },
): Promise<string> {
  return page.evaluate((opts) => {
    const w = window as unknown as {
      trystero: typeof Trystero;
      log: TrysteroLog;
      chat: { send(data: unknown, options?: unknown): Promise<unknown> };
    };
    const log: TrysteroLog = {
      selfId: w.trystero.selfId,
      startedAt: Date.now(),
      joined: [],
      joinedAt: [],
      messages: [],
      warnings: [],
    };
    const warn = console.warn.bind(console);
    console.warn = (...args: unknown[]) => {
      log.warnings.push(args.map(String).join(' '));
      warn(...args);
    };
    const room = w.trystero.joinRoom(
      {
        appId: opts.appId,
        ...(opts.password === undefined ? {} : { password: opts.password }),
        relayConfig: { urls: opts.relayUrls },
        rtcConfig: { iceServers: [] },
      },
      opts.roomId,
    );
    room.onPeerJoin = (peerId: string) => {
      log.joined.push(peerId);
      log.joinedAt.push(Date.now());
    };
    const chat = room.makeAction('chat') as unknown as {
      send(data: unknown, options?: unknown): Promise<unknown>;
      onMessage: ((data: unknown, meta: { peerId: string }) => void) | null;
    };
    chat.onMessage = (data, meta) => log.messages.push({ data, from: meta.peerId });
    w.chat = chat;
    w.log = log;
    return log.selfId;
  }, options);
}

/** The page's log. */
export function trysteroLog(page: Page): Promise<TrysteroLog> {
  return page.evaluate(() => (window as unknown as { log: TrysteroLog }).log);
}

/** Waits until the page's room has `peerId`; on timeout, says what it saw. */
export async function waitForTrysteroPeer(
  page: Page,
  peerId: string,
  timeout = 30_000,
): Promise<void> {
  try {
    await page.waitForFunction(
      (id) => (window as unknown as { log: TrysteroLog }).log.joined.includes(id),
      peerId,
      { timeout, polling: 50 },
    );
  } catch (error) {
    throw new Error(`peer ${peerId} did not join: ${JSON.stringify(await trysteroLog(page))}`, {
      cause: error,
    });
  }
}

/** Sends `data` on the page's `chat` action to one peer. */
export async function sendChat(page: Page, data: unknown, to: string): Promise<void> {
  await page.evaluate(
    async ({ value, target }) => {
      await (
        window as unknown as { chat: { send(d: unknown, o: unknown): Promise<unknown> } }
      ).chat.send(value, { target });
    },
    { value: data, target: to },
  );
}

/** A node load that always reads zero (see {@link trysteroTestnet}). */
export const zeroLoad = { current: () => ({ cpu: 0, mem: 0, smoothed: 0 }) };

/**
 * A local testnet of `nodes` nodes for Trystero pages, closed at the end. Nodes, DHT and Chromium
 * share two cores: a measured load over 0.95 would refuse the pages' sockets
 * (TOPIC_CONNECTION_LIMIT), which these tests are not about, so the nodes' load reads zero.
 */
export async function trysteroTestnet(t: TestContext, nodes: number): Promise<SigmeshNode[]> {
  const testnet = await createTestnet({
    nodes,
    nodeOptions: {
      logger: pino({ level: 'error' }),
      load: zeroLoad,
    },
  });
  t.after(() => testnet.close());
  return testnet.nodes as SigmeshNode[];
}
