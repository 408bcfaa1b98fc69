// Real browsers through the tracker dialect: Chromium pages, each pointed at a node of a testnet,
// meet and connect with WebRTC — Trystero's torrent strategy (pairs, a late page in a room), and
// WebTorrent's own browser build transferring a file. Run inside `unshare -n` (docs/dialects.md).
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { pino } from 'pino';
import { createTestnet, type SigmeshNode } from '@sigmesh/node';
import { launchChromium, noChromium } from '../client/client-pages.js';
import { loadWebTorrent, openPage, webtorrentBuild } from './tracker-pages.js';
import {
  joinTrysteroRoom,
  openTrysteroPage,
  sendChat,
  trysteroLog,
  waitForTrysteroPeer,
} from './trystero-pages.js';

/** A 3-node testnet, fully linked; the WebTorrent pages use the first and the last. */
async function threeNodes(t: TestContext): Promise<[SigmeshNode, SigmeshNode, SigmeshNode]> {
  const net = await createTestnet({
    nodes: 3,
    nodeOptions: { logger: pino({ level: 'warn' }), powBaseDifficulty: 16 },
  });
  t.after(() => net.close());
  const nodes = net.nodes as [SigmeshNode, SigmeshNode, SigmeshNode];
  const [n1, n2, n3] = nodes;
  await Promise.all([n1.connect(n2.url()), n1.connect(n3.url()), n2.connect(n3.url())]);
  return nodes;
}

const wsUrl = (node: SigmeshNode): string => `${node.url().replace(/^http/, 'ws')}/announce`;

test(
  'Trystero torrent: two pages on two of three nodes meet and exchange a message; another room or password stays apart',
  { skip: noChromium, timeout: 120_000 },
  async (t) => {
    const [n1, n2, n3] = await threeNodes(t);
    const browser = await launchChromium(t);
    const [a, b, other, wrong] = await Promise.all(
      [n1, n2, n3, n3].map((node) => openTrysteroPage(browser, node.url(), 'torrent')),
    );
    const room = { appId: 'sigmesh-e2e-tracker', roomId: 'lobby', password: 'shared secret' };
    const started = Date.now();
    const aId = await joinTrysteroRoom(a!.page, { ...room, relayUrls: [wsUrl(n1)] });
    const bId = await joinTrysteroRoom(b!.page, { ...room, relayUrls: [wsUrl(n2)] });
    const otherId = await joinTrysteroRoom(other!.page, {
      ...room,
      roomId: 'another room',
      relayUrls: [wsUrl(n3)],
    });
    const wrongId = await joinTrysteroRoom(wrong!.page, {
      ...room,
      password: 'wrong',
      relayUrls: [wsUrl(n3)],
    });
    // Trystero's torrent strategy announces 0.2, 0.5 and 1.3 s after joining, then at the
    // tracker's interval: 15 s while a page is new and not paired yet, so an exchange lost on a
    // loaded machine is tried again within seconds. 60 s leaves room for three more tries (a CI
    // run once saw none succeed within 60 s; the likely cause, a parked offer sent the way
    // Trystero ignores, is fixed and pinned in tracker-newcomers.test.ts; alone the pages meet in
    // 1–2 s).
    await Promise.all([
      waitForTrysteroPeer(a!.page, bId, 60_000),
      waitForTrysteroPeer(b!.page, aId, 60_000),
    ]);
    const meetMs = Date.now() - started;
    await sendChat(a!.page, { text: 'hello B' }, bId);
    await sendChat(b!.page, { text: 'hello A' }, aId);
    for (const page of [a!.page, b!.page])
      await page.waitForFunction(
        () => (window as unknown as { log: { messages: unknown[] } }).log.messages.length > 0,
      );
    assert.deepEqual((await trysteroLog(b!.page)).messages, [
      { data: { text: 'hello B' }, from: aId },
    ]);
    assert.deepEqual((await trysteroLog(a!.page)).messages, [
      { data: { text: 'hello A' }, from: bId },
    ]);

    // The wrong password's page is in the same swarm (the info_hash comes from app and room) and
    // gets the offers, but cannot decrypt them, so it never connects; the other room is another
    // swarm.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    for (const page of [a!.page, b!.page]) {
      const joined = (await trysteroLog(page)).joined;
      assert.ok(
        !joined.includes(otherId) && !joined.includes(wrongId),
        `stayed apart: ${JSON.stringify(joined)}`,
      );
    }
    assert.deepEqual((await trysteroLog(other!.page)).joined, []);
    assert.deepEqual((await trysteroLog(wrong!.page)).joined, []);
    // Nothing but the nodes: no public tracker or STUN server was contacted.
    for (const { urls } of [a!, b!, other!, wrong!])
      for (const url of urls)
        assert.match(url, /^(http|ws):\/\/127\.0\.0\.1:\d+\//, `only the nodes: ${url}`);
    t.diagnostic(`pages met after ${meetMs} ms`);
  },
);

test(
  'WebTorrent (browser build): a file seeded on one node downloads through another',
  { skip: noChromium },
  async (t) => {
    const [n0, , n1] = await threeNodes(t);
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

test(
  'Trystero torrent: a page that joins after the first page’s quick announces meets it within seconds, on its node and on another',
  { skip: noChromium },
  async (t) => {
    const [n1, n2] = await threeNodes(t);
    const browser = await launchChromium(t);
    // Two rooms: in one both pages use node 1, in the other the second page uses node 2.
    const pairs = [
      { roomId: 'same node', nodes: [n1, n1] },
      { roomId: 'two nodes', nodes: [n1, n2] },
    ];
    const pages = await Promise.all(
      pairs.flatMap(({ nodes }) =>
        nodes.map((node) => openTrysteroPage(browser, node.url(), 'torrent')),
      ),
    );
    const join = (index: number): Promise<string> => {
      const { roomId, nodes } = pairs[index >> 1]!;
      return joinTrysteroRoom(pages[index]!.page, {
        appId: 'sigmesh-e2e-tracker-late',
        roomId,
        relayUrls: [wsUrl(nodes[index & 1]!)],
      });
    };
    const firstIds = await Promise.all([join(0), join(2)]);
    // Trystero announces 0.2, 0.5 and 1.3 s after joining, then at the tracker's interval (15 s):
    // the second pages join after the first ones' quick announces. When the first page's peer_id
    // is the smaller, Trystero ignores the second page's offers, so the pair meets soon only
    // through the first page's parked offers (tracker-newcomers.test.ts). Without them it met at
    // the first page's next announce, ≈ 14.5 s after the second join: 12 s tells the two apart
    // and leaves room for a slow machine (they meet in 0.3 s here).
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const joinedAt = Date.now();
    const secondIds = await Promise.all([join(1), join(3)]);
    await Promise.all(
      [0, 1].flatMap((pair) => [
        waitForTrysteroPeer(pages[pair * 2]!.page, secondIds[pair]!, 12_000),
        waitForTrysteroPeer(pages[pair * 2 + 1]!.page, firstIds[pair]!, 12_000),
      ]),
    );
    t.diagnostic(
      `met ${Date.now() - joinedAt} ms after the second join (first peer_id smaller: ` +
        `${[0, 1].map((pair) => firstIds[pair]! < secondIds[pair]!).join(', ')})`,
    );
  },
);

test(
  'Trystero torrent: a page that joins a settled room of four, on three nodes, meets all four within seconds',
  { skip: noChromium },
  async (t) => {
    const nodes = await threeNodes(t);
    const browser = await launchChromium(t);
    const pages = await Promise.all(
      [0, 1, 2, 3, 4].map((i) => openTrysteroPage(browser, nodes[i % 3]!.url(), 'torrent')),
    );
    const join = (i: number): Promise<string> =>
      joinTrysteroRoom(pages[i]!.page, {
        appId: 'sigmesh-e2e-tracker-room',
        roomId: 'five',
        relayUrls: [wsUrl(nodes[i % 3]!)],
      });
    // Half a second apart: each joins after the one before announced, as people do.
    const ids: string[] = [];
    for (const i of [0, 1, 2, 3]) {
      ids.push(await join(i));
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // Settled: the four have met (bench/tracker/trystero-swarm.ts measures that they all do) and
    // been told to come back in 120 s. The late page meets each smaller one only through that
    // page's kept offers; before, at that page's next announce, up to 120 s later (with 4 pages
    // there, all larger than it 1 time in 5).
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    const logs = await Promise.all([0, 1, 2, 3].map((i) => trysteroLog(pages[i]!.page)));
    const joinedAt = Date.now();
    ids.push(await join(4));
    await Promise.all(
      [0, 1, 2, 3].flatMap((i) => [
        waitForTrysteroPeer(pages[4]!.page, ids[i]!, 12_000),
        waitForTrysteroPeer(pages[i]!.page, ids[4]!, 12_000),
      ]),
    );
    t.diagnostic(
      `the late page met all four ${Date.now() - joinedAt} ms after it joined (smaller than it: ` +
        `${ids.slice(0, 4).filter((id) => id < ids[4]!).length}); the four had met ` +
        `${logs.reduce((sum, log) => sum + log.joined.length, 0) / 2} of their 6 pairs by then`,
    );
  },
);
