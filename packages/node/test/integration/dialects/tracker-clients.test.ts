// The unchanged bittorrent-tracker client (WebTorrent's) against a testnet of three nodes, each
// client pointed at a different node: offers and answers cross nodes, scrape counts the whole
// swarm, `stopped` removes the peer. Its WebRTC is a signaling-only stand-in (tracker-fake-wrtc.ts):
// the client's tracker protocol is real, the connection is not (Chromium shows that, in e2e/).
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { Client, type TrackerCounts, type TrackerPeer } from 'bittorrent-tracker';
import type { SigmeshNode } from '../../../src/index.js';
import { startTestnet } from '../../helpers/test-testnet.js';
import { waitFor } from '../../helpers/wait-for.js';
import { fakeWrtc } from './tracker-fake-wrtc.js';

const INFO_HASH = 'c0ffee'.padEnd(40, '0');

/** A WebTorrent tracker client on `node`, recording the peers it was handed and its warnings. */
function trackerClient(
  t: TestContext,
  node: SigmeshNode,
  peerId: string,
  left?: number,
): { client: Client; peers: Set<string>; warnings: string[]; counts: TrackerCounts[] } {
  const client = new Client({
    infoHash: INFO_HASH,
    peerId,
    announce: [`${node.url().replace(/^http/, 'ws')}/announce`],
    port: 6881,
    wrtc: fakeWrtc,
    ...(left === undefined ? {} : { getAnnounceOpts: () => ({ left }) }),
  });
  const peers = new Set<string>();
  const warnings: string[] = [];
  const counts: TrackerCounts[] = [];
  const handed: TrackerPeer[] = [];
  client.on('peer', (peer) => {
    // The app owns the peers it is handed (each keeps a timer until destroyed).
    handed.push(peer);
    peer.on('error', () => undefined);
    if (peer.id !== undefined) peers.add(peer.id);
  });
  client.on('warning', (error) => warnings.push(error.message));
  client.on('error', (error) => warnings.push(error.message));
  client.on('scrape', (data) => counts.push(data));
  t.after(() => {
    for (const peer of handed) peer.destroy();
    client.destroy();
  });
  return { client, peers, warnings, counts };
}

async function linkedTestnet(t: TestContext): Promise<readonly SigmeshNode[]> {
  const net = await startTestnet(t, { nodes: 3 });
  const [a, b, c] = net.nodes as [SigmeshNode, SigmeshNode, SigmeshNode];
  await a.connect(b.url());
  await a.connect(c.url());
  await b.connect(c.url());
  return net.nodes;
}

async function scrape(entry: ReturnType<typeof trackerClient>): Promise<TrackerCounts> {
  // Polled: a few scrapes a second stay well within the per-connection rate.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const before = entry.counts.length;
  entry.client.scrape();
  await waitFor(() => entry.counts.length > before, 'a scrape reply');
  return entry.counts.at(-1)!;
}

test('three clients on three nodes pair through the mesh, scrape counts the swarm, stopped leaves it', async (t) => {
  const [n0, n1, n2] = (await linkedTestnet(t)) as [SigmeshNode, SigmeshNode, SigmeshNode];
  const ids = ['a1'.repeat(20), 'b2'.repeat(20), 'c3'.repeat(20)] as const;
  const a = trackerClient(t, n0, ids[0], 0); // a seeder
  const b = trackerClient(t, n1, ids[1]);
  const c = trackerClient(t, n2, ids[2]);
  a.client.start();
  await waitFor(() => n0.stats().members === 1, 'a in its swarm');
  b.client.start();
  c.client.start();

  // Each pair exchanged an offer and an answer across nodes: each side was handed the other.
  for (const [x, y] of [
    [a, b],
    [a, c],
    [b, c],
  ] as const) {
    const xId = ids[[a, b, c].indexOf(x)]!;
    const yId = ids[[a, b, c].indexOf(y)]!;
    await waitFor(
      () => x.peers.has(yId) && y.peers.has(xId),
      `${xId.slice(0, 2)} and ${yId.slice(0, 2)} to exchange an offer and its answer`,
    );
  }
  assert.deepEqual([...a.warnings, ...b.warnings, ...c.warnings], []);

  // Counts are the whole swarm's, at every node: one seeder, two leechers.
  for (const entry of [a, b, c]) {
    await waitFor(async () => {
      const counts = await scrape(entry);
      return counts.complete === 1 && counts.incomplete === 2;
    }, 'mesh-wide counts (1 seeder, 2 leechers)');
  }

  b.client.stop();
  await waitFor(async () => {
    const counts = await scrape(c);
    return counts.complete === 1 && counts.incomplete === 1;
  }, 'the stopped peer to leave the swarm everywhere');
  const fromA = await scrape(a);
  assert.deepEqual([fromA.complete, fromA.incomplete], [1, 1]);
});
