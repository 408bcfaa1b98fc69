import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveRoomHash } from '@sigmesh/protocol';
import { testnetDiscoveryLimits } from '../../../src/index.js';
import {
  everyPostReachesEveryoneOnce,
  hopsAcross,
  linkCount,
  linkedIds,
  settledGraph,
  viewsConverged,
} from '../../helpers/overlay-checks.js';
import { joinRoom, type TestMember } from '../../helpers/room-client.js';
import { startTestNode } from '../../helpers/test-node.js';
import { startTestnet } from '../../helpers/test-testnet.js';
import { waitFor } from '../../helpers/wait-for.js';

// A room on more nodes than --mesh-room-degree: each node links to a bounded choice of the room's
// nodes, and messages and presence cross the overlay over several hops (docs/scaling-overlay.md).

const room = deriveRoomHash('overlay-test', 'popular');
// No standby links: only what the overlay needs is linked (standby links have their own test).
const fast = {
  meshBeatMs: 500,
  meshPresenceLeaseMs: 2000,
  meshIdleCloseMs: 1000,
  meshStandbyLinks: 0,
};

test('a room on 12 nodes with degree 2: a sparse overlay, every member gets every message once, views converge', async (t) => {
  const degree = 2;
  const net = await startTestnet(t, {
    nodes: 12,
    nodeOptions: { ...fast, meshRoomDegree: degree },
  });
  const nodes = net.nodes.map((node) => ({ id: node.id(), url: node.url() }));
  const members: TestMember[] = [];
  for (const node of nodes) members.push(await joinRoom(node.url, room));
  t.after(() => members.forEach((m) => m.close()));
  await viewsConverged(members, 'every member to see the 11 others', 30_000);

  // Links dialed only to verify nodes for /nodes close once idle: what stays is the overlay.
  const graph = await settledGraph(nodes, nodes.length * degree);
  const counts = [...graph.values()].map((ids) => ids.length);
  const hops = hopsAcross(graph);
  t.diagnostic(
    `links per node ${counts.join(',')} (max ${Math.max(...counts)}, ${linkCount(graph)} links), ${hops} hops across`,
  );
  assert.ok(hops < Infinity, 'the overlay is connected');
  assert.ok(Math.max(...counts) < nodes.length - 1, 'no node links to every other (no full mesh)');

  await everyPostReachesEveryoneOnce(members, 'hello').catch(async (error: unknown) => {
    for (const [i, node] of net.nodes.entries())
      t.diagnostic(
        `DEBUG ${i} ${node.id().slice(0, 8)} member ${members[i]!.peerId.slice(0, 8)} ${JSON.stringify(node.meshStats())} links ${(await linkedIds(node.url())).map((id) => id.slice(0, 8)).join(',')}`,
      );
    throw error;
  });
  const late = await joinRoom(nodes[5]!.url, room);
  t.after(() => late.close());
  await viewsConverged([...members, late], 'a late member seen everywhere');
  await settledGraph(nodes, nodes.length * degree);
  await everyPostReachesEveryoneOnce([...members, late], 'again');
});

test('a node sharing no room with the others keeps no lasting link, except its static peer', async (t) => {
  const net = await startTestnet(t, { nodes: 3, nodeOptions: fast });
  const peer = await startTestNode(t, fast);
  const lonely = await startTestNode(t, {
    ...fast,
    dhtBootstrap: net.dht.bootstrap.map((a) => `${a.host}:${a.port}`).join(','),
    discoveryLimits: testnetDiscoveryLimits,
    meshPeers: [peer.url()],
  });
  const alone = await joinRoom(lonely.url(), deriveRoomHash('overlay-test', 'alone'));
  const together = await Promise.all(net.nodes.map((node) => joinRoom(node.url(), room)));
  t.after(() => [alone, ...together].forEach((m) => m.close()));

  // The lonely node verifies the others it finds on the DHT (a short link each), then drops them.
  await listsAll(lonely, net.nodes, 'the lonely node to have verified the others');
  // The verification links close: nothing but the static peer is linked, and it stays so (the
  // peer, which does not pin the lonely node back, may cut the idle link; it is then redialed).
  const others = new Set(net.nodes.map((node) => node.id()));
  const strangers = async (): Promise<string[]> =>
    (await linkedIds(lonely.url())).filter((id) => others.has(id));
  await waitFor(async () => (await strangers()).length === 0, 'the verification links closed');
  await waitFor(
    async () => (await linkedIds(lonely.url())).includes(peer.id()),
    'the static peer linked',
  );
  for (let i = 0; i < 6; i++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(await strangers(), [], 'a node sharing no room was linked again');
  }
  await viewsConverged(together, 'the others still meet each other');
});

test('standby links: a node keeps its --mesh-standby-links oldest verification links, no more', async (t) => {
  const net = await startTestnet(t, { nodes: 3, nodeOptions: { ...fast, meshStandbyLinks: 8 } });
  const watcher = await startTestNode(t, {
    ...fast,
    meshStandbyLinks: 2,
    dhtBootstrap: net.dht.bootstrap.map((a) => `${a.host}:${a.port}`).join(','),
    discoveryLimits: testnetDiscoveryLimits,
  });
  await listsAll(watcher, net.nodes, 'the watcher to have verified the others');
  const others = new Set(net.nodes.map((node) => node.id()));
  const linked = async (): Promise<number> =>
    (await linkedIds(watcher.url())).filter((id) => others.has(id)).length;
  await waitFor(async () => (await linked()) === 2, 'two standby links');
  for (let i = 0; i < 6; i++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(await linked(), 2, 'the standby set holds two links, no more, no fewer');
  }
});

/** Waits until `node`'s /nodes lists every one of `others` (it has verified them). */
async function listsAll(
  node: { url(): string },
  others: ReadonlyArray<{ id(): string }>,
  what: string,
): Promise<void> {
  await waitFor(
    async () => {
      const response = await fetch(`${node.url()}/nodes`, {
        headers: { accept: 'application/json' },
      });
      const text = await response.text();
      return others.every((other) => text.includes(other.id()));
    },
    what,
    20_000,
  );
}
