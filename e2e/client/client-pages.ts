import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type * as SigmeshClient from '@sigmesh/client';
import { parsePlainPost } from '@sigmesh/protocol';

export { CHROMIUM, CHROMIUM_FLAGS, noChromium } from '../../packages/node/test/helpers/chromium.js';
import { CHROMIUM, CHROMIUM_FLAGS } from '../../packages/node/test/helpers/chromium.js';

const BUNDLE = new URL(
  '../../packages/client/dist/browser/sigmesh-client.global.js',
  import.meta.url,
).pathname;

/** One Chromium for the test (a fresh temporary profile), closed at the end. */
export async function launchChromium(t: TestContext): Promise<Browser> {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  t.after(() => browser.close());
  return browser;
}

/** What a test page records of its room. */
export interface PageRoomLog {
  readonly selfId: string;
  readonly joined: string[];
  readonly left: string[];
  readonly messages: Array<{ data: unknown; from: string }>;
  readonly errors: string[];
  readonly nodes: string[];
}

/**
 * A page in its own browser context on `origin` (a node URL: http://127.0.0.1 is a secure
 * context) with the client bundle loaded; `window.sigmesh` is the library.
 */
export async function openClientPage(browser: Browser, origin: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/ip`);
  await page.addScriptTag({ path: BUNDLE });
  return page;
}

/** Joins a room in the page; the room and a log of its events live on `window`. */
export async function joinInPage(page: Page, options: Record<string, unknown>): Promise<string> {
  return page.evaluate(async (opts) => {
    const w = window as unknown as {
      sigmesh: typeof SigmeshClient;
      room: SigmeshClient.Room;
      log: PageRoomLog;
    };
    const room = await w.sigmesh.joinRoom(opts as never);
    const log: PageRoomLog = {
      selfId: room.selfId,
      joined: [],
      left: [],
      messages: [],
      errors: [],
      nodes: [...room.nodes],
    };
    room.on('peer-join', (id) => log.joined.push(id));
    room.on('peer-leave', (id) => log.left.push(id));
    room.on('message', (data, from) => log.messages.push({ data, from }));
    room.on('error', (error) =>
      log.errors.push(`${(error as { code?: string }).code ?? ''} ${error.message}`),
    );
    room.on('nodes', (urls) => log.nodes.splice(0, log.nodes.length, ...urls));
    w.room = room;
    w.log = log;
    return room.selfId;
  }, options);
}

/** Reads the page's room log. */
export function pageLog(page: Page): Promise<PageRoomLog> {
  return page.evaluate(() => (window as unknown as { log: PageRoomLog }).log);
}

/** Waits until the page's room has `peerId` as a joined peer; on timeout, says what the page saw. */
export async function waitForPeer(page: Page, peerId: string, timeout = 20_000): Promise<void> {
  try {
    await page.waitForFunction(
      (id) => (window as unknown as { log: PageRoomLog }).log.joined.includes(id),
      peerId,
      { timeout, polling: 50 },
    );
  } catch (error) {
    const seen = await page.evaluate(() => {
      const w = window as unknown as { log: PageRoomLog; room: SigmeshClient.Room };
      return { log: w.log, peers: w.room.peers() };
    });
    throw new Error(`peer ${peerId} did not join: ${JSON.stringify(seen)}`, { cause: error });
  }
}

/** Sends from the page to one peer. */
export async function sendFromPage(page: Page, data: unknown, to: string): Promise<void> {
  await page.evaluate(
    async ({ value, peer }) =>
      (window as unknown as { room: SigmeshClient.Room }).room.send(value, peer as never),
    { value: data, peer: to },
  );
}

/** Waits until the page received `data` from `from`. */
export async function waitForMessage(
  page: Page,
  data: unknown,
  from: string,
  timeout = 10_000,
): Promise<void> {
  await page.waitForFunction(
    ({ value, sender }) =>
      (window as unknown as { log: PageRoomLog }).log.messages.some(
        (message) =>
          message.from === sender && JSON.stringify(message.data) === JSON.stringify(value),
      ),
    { value: data, sender: from },
    { timeout, polling: 50 },
  );
}

/** Every room post body a page sends (what the nodes relay), recorded from now on. */
export function recordRoomPosts(page: Page): string[] {
  const bodies: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!url.pathname.startsWith('/room/')) return;
    // A hello carried in the join is a post body too.
    const hello = url.searchParams.get('hello');
    if (request.method() === 'GET' && hello !== null) bodies.push(hello);
    if (request.method() !== 'POST') return;
    const body = request.postData() ?? '';
    // The plain form: the JSON after the token and session lines.
    const plain = parsePlainPost(new TextEncoder().encode(body));
    bodies.push(
      (request.headers()['content-type'] ?? '').startsWith('text/plain') && plain.ok
        ? new TextDecoder().decode(plain.value.body)
        : body,
    );
  });
  return bodies;
}

/** The route of the page's connection to `peerId` once known ('direct' or 'relayed'). */
export async function waitForRoute(page: Page, peerId: string, timeout = 10_000): Promise<string> {
  const handle = await page.waitForFunction(
    (id) => {
      const room = (window as unknown as { room: SigmeshClient.Room }).room;
      const route = room.peers().find((peer) => peer.id === id)?.route;
      return route === 'unknown' ? undefined : route;
    },
    peerId,
    { timeout, polling: 100 },
  );
  return (await handle.jsonValue()) as string;
}
