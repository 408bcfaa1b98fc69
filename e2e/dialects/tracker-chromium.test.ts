// Real browsers through the tracker dialect: two Chromium pages, each pointed at a different node
// of a testnet, meet and connect with WebRTC — Trystero's torrent strategy, and WebTorrent's own
// browser build transferring a file. Run inside `unshare -n` (docs/dialects.md).
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { pino } from 'pino';
import { createTestnet, type SigmeshNode } from '@sigmesh/node';
import { launchChromium, noChromium } from '../client/client-pages.js';
import { loadWebTorrent, openPage, trysteroBundle, webtorrentBuild } from './tracker-pages.js';

async function twoNodes(t: TestContext): Promise<[SigmeshNode, SigmeshNode]> {
  const net = await createTestnet({
    nodes: 2,
    nodeOptions: { logger: pino({ level: 'warn' }), powBaseDifficulty: 16 },
  });
  t.after(() => net.close());
  const [a, b] = net.nodes as [SigmeshNode, SigmeshNode];
  await a.connect(b.url());
  return [a, b];
}

const wsUrl = (node: SigmeshNode): string => `${node.url().replace(/^http/, 'ws')}/announce`;

test(
  'Trystero torrent: two pages on two nodes meet and exchange a message over WebRTC',
  { skip: noChromium },
  async (t) => {
    const [n0, n1] = await twoNodes(t);
    const browser = await launchChromium(t);
    const bundle = await trysteroBundle();
    const pages = await Promise.all(
      [n0, n1].map(async (node) => {
        const page = await openPage(browser, node.url());
        await page.addScriptTag({ content: bundle });
        return page;
      }),
    );
    const join = (page: (typeof pages)[number], url: string): Promise<string> =>
      page.evaluate((relay) => {
        interface TrysteroRoom {
          onPeerJoin: ((id: string) => void) | null;
          makeAction(name: string): {
            send(data: unknown): Promise<void>;
            onMessage: ((data: unknown, from: string) => void) | null;
          };
        }
        const w = window as unknown as {
          trystero: { selfId: string; joinRoom(config: unknown, room: string): TrysteroRoom };
          seen: string[];
          got: unknown[];
          send: (data: unknown) => Promise<void>;
        };
        w.seen = [];
        w.got = [];
        const room = w.trystero.joinRoom(
          {
            appId: 'sigmesh-e2e-tracker',
            relayConfig: { urls: [relay] },
            rtcConfig: { iceServers: [] },
          },
          'lobby',
        );
        const chat = room.makeAction('chat');
        chat.onMessage = (data) => w.got.push(data);
        room.onPeerJoin = (id) => w.seen.push(id);
        w.send = (data) => chat.send(data);
        return w.trystero.selfId;
      }, url);
    const started = Date.now();
    const idA = await join(pages[0]!, wsUrl(n0));
    const idB = await join(pages[1]!, wsUrl(n1));
    for (const [page, other] of [
      [pages[0]!, idB],
      [pages[1]!, idA],
    ] as const)
      await page.waitForFunction(
        (id) => (window as unknown as { seen: string[] }).seen.includes(id),
        other,
        { timeout: 30_000, polling: 100 },
      );
    const meetMs = Date.now() - started;

    await pages[0]!.evaluate(() =>
      (window as unknown as { send: (d: unknown) => Promise<void> }).send({ hello: 'from node 0' }),
    );
    await pages[1]!.waitForFunction(
      () => (window as unknown as { got: unknown[] }).got.length > 0,
      undefined,
      { timeout: 10_000 },
    );
    const got = await pages[1]!.evaluate(() => (window as unknown as { got: unknown[] }).got);
    assert.deepEqual(got, [{ hello: 'from node 0' }]);
    t.diagnostic(`pages met after ${meetMs} ms`);
  },
);

test(
  'WebTorrent (browser build): a file seeded on one node downloads through another',
  { skip: noChromium },
  async (t) => {
    const [n0, n1] = await twoNodes(t);
    const browser = await launchChromium(t);
    const webtorrent = webtorrentBuild();
    const pages = await Promise.all(
      [n0, n1].map(async (node) => {
        const page = await openPage(browser, node.url());
        await loadWebTorrent(page, webtorrent);
        return page;
      }),
    );
    const content = `sigmesh ${'x'.repeat(100_000)} end`;
    const infoHash = await pages[0]!.evaluate(
      ({ text, announce }) =>
        new Promise<string>((resolve) => {
          type WT = new (options: unknown) => {
            seed(file: File, options: unknown, done: (torrent: { infoHash: string }) => void): void;
          };
          const Client = (window as unknown as { WebTorrent: WT }).WebTorrent;
          const client = new Client({ tracker: { rtcConfig: { iceServers: [] } } });
          client.seed(new File([text], 'hello.txt'), { announce: [announce] }, (torrent) =>
            resolve(torrent.infoHash),
          );
        }),
      { text: content, announce: wsUrl(n0) },
    );
    const downloaded = await pages[1]!.evaluate(
      ({ hash, announce }) =>
        new Promise<string>((resolve, reject) => {
          type Torrent = {
            files: Array<{ blob(): Promise<Blob> }>;
            on(event: 'done', f: () => void): void;
          };
          type WT = new (options: unknown) => {
            add(id: string, options: unknown, ready: (torrent: Torrent) => void): void;
            on(e: 'error', f: (error: Error) => void): void;
          };
          const Client = (window as unknown as { WebTorrent: WT }).WebTorrent;
          const client = new Client({ tracker: { rtcConfig: { iceServers: [] } } });
          client.on('error', (error) => reject(error));
          client.add(hash, { announce: [announce] }, (torrent) => {
            torrent.on(
              'done',
              () =>
                void torrent.files[0]!.blob()
                  .then((blob) => blob.text())
                  .then(resolve),
            );
          });
        }),
      { hash: infoHash, announce: wsUrl(n1) },
    );
    assert.equal(downloaded, content);
  },
);
