import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveRoomHash } from '@sigmesh/protocol';
import { spawnNode, startProcessDht, type NodeProcess } from '../../helpers/node-process.js';
import {
  everyPostReachesEveryoneOnce,
  hopsAcross,
  linkCount,
  linkGraph,
  settledGraph,
  viewsConverged,
} from '../../helpers/overlay-checks.js';
import { joinRoom, type TestMember } from '../../helpers/room-client.js';
import { waitFor } from '../../helpers/wait-for.js';

// A room on 10 `sigmesh start` processes with --mesh-room-degree 2: a sparse overlay that heals
// when nodes are SIGKILLed (docs/scaling-overlay.md § Healing).

const room = deriveRoomHash('overlay-processes', 'popular');
const degree = 2;
// Default beats and lease: presence crosses several nodes here, each of them a loaded process.
const args = [
  '--mesh-room-degree',
  String(degree),
  '--mesh-idle-close-ms',
  '1000',
  '--mesh-standby-links',
  '0',
];

test('10 node processes, degree 2: the overlay is sparse and whole; after SIGKILL of 3 nodes it heals and every survivor gets every message once', async (t) => {
  const { bootstrap } = await startProcessDht(t, 5);
  const nodes: NodeProcess[] = [];
  for (let i = 0; i < 10; i++)
    nodes.push(await spawnNode(t, { args: ['--dht-bootstrap', bootstrap, ...args] }));
  const members: TestMember[] = [];
  for (const node of nodes) members.push(await joinRoom(node.url, room));
  t.after(() => members.forEach((m) => m.close()));
  await viewsConverged(members, 'every member to see the 9 others', 45_000);

  let graph = await settledGraph(nodes, nodes.length * degree);
  const counts = [...graph.values()].map((ids) => ids.length);
  t.diagnostic(
    `before: links per node ${counts.join(',')}, ${linkCount(graph)} links, ${hopsAcross(graph)} hops across`,
  );
  assert.ok(hopsAcross(graph) < Infinity, 'the overlay is connected');
  assert.ok(Math.max(...counts) < nodes.length - 1, 'no node links to every other');
  await everyPostReachesEveryoneOnce(members, 'before');

  // Kill the three best-linked nodes: the overlay loses its hubs and must be rebuilt around them.
  const ranked = [...nodes].sort((a, b) => graph.get(b.id)!.length - graph.get(a.id)!.length);
  const killed = new Set(ranked.slice(0, 3));
  for (const node of killed) node.signal('SIGKILL');
  const alive = nodes.filter((node) => !killed.has(node));
  const survivors = members.filter((_, i) => !killed.has(nodes[i]!));
  await viewsConverged(survivors, 'the killed nodes’ members gone, the others all seen', 30_000);
  await waitFor(
    async () => hopsAcross((graph = await linkGraph(alive))) < Infinity,
    'the survivors’ overlay to be connected again',
    30_000,
  );
  graph = await settledGraph(alive, alive.length * degree);
  const after = [...graph.values()].map((ids) => ids.length);
  t.diagnostic(
    `after: links per node ${after.join(',')}, ${linkCount(graph)} links, ${hopsAcross(graph)} hops across`,
  );
  await everyPostReachesEveryoneOnce(survivors, 'after');
});
