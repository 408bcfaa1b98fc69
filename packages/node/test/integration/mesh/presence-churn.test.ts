import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { deriveRoomHash, type PeerId } from '@sigmesh/protocol';
import {
  createEphemeralIdentity,
  createLocalDht,
  startNode,
  testnetDiscoveryLimits,
  type SigmeshNode,
} from '../../../src/index.js';
import { joinRoom, type TestMember } from '../../helpers/room-client.js';
import { waitFor } from '../../helpers/wait-for.js';
import { seededRandom } from '../../helpers/seeded-random.js';

// Randomized, seeded churn on an in-process mesh: members join and leave on random nodes, links
// are cut at random, nodes stop and new ones start. At every checkpoint each node's view (its
// watcher's, built from presence events alone) must equal the truth. Two topologies: a full mesh
// found through a loopback DHT, and a line of static peers (no DHT) where presence must cross
// the nodes in between. Reproduce a failure with SIGMESH_CHURN_SEED=<seed>; run the long
// campaign with SIGMESH_CHURN_OPS=20000.

const seed = Number(process.env.SIGMESH_CHURN_SEED ?? Date.now() % 1_000_000);
const operations = Number(process.env.SIGMESH_CHURN_OPS ?? 1_500);
const rooms = [deriveRoomHash('churn', 'a'), deriveRoomHash('churn', 'b')];

interface Slot {
  node: SigmeshNode;
  /** One watcher per room that never leaves: what the node tells its members. */
  watchers: TestMember[];
  members: TestMember[][];
}

type Topology = 'full mesh' | 'line';

async function startSlot(
  t: TestContext,
  warnings: string[],
  network: { bootstrap: string } | { peers: string[]; port: number },
): Promise<Slot> {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      warnings.push(chunk.toString());
      done();
    },
  });
  const node = await startNode({
    host: '127.0.0.1',
    turnPort: -1,
    identity: createEphemeralIdentity(),
    logger: pino({ level: 'warn' }, sink),
    ...('bootstrap' in network
      ? { port: 0, dhtBootstrap: network.bootstrap }
      : { port: network.port, dhtBootstrap: 'none', meshPeers: network.peers }),
    powBaseDifficulty: 16,
    powFreeMessages: 100_000,
    powAddressFreeMessages: 1_000_000,
    unpaidRequestsPerSecond: 100_000,
    unpaidBurst: 1_000_000,
    maxStreamsPerAddress: 10_000,
    discoveryLimits: testnetDiscoveryLimits,
    // Presence is under test, not pricing: a busy test machine must not price the joins out.
    load: { current: () => ({ cpu: 0, mem: 0, smoothed: 0 }) },
  });
  t.after(() => node.stop());
  const watchers = await Promise.all(rooms.map((room) => joinRoom(node.url(), room)));
  t.after(() => watchers.forEach((w) => w.close()));
  return { node, watchers, members: rooms.map(() => []) };
}

for (const topology of ['full mesh', 'line'] as const) {
  test(`seeded churn on 5 in-process nodes, ${topology}: every view ends equal to the truth (seed ${seed})`, async (t) => {
    await churn(t, topology);
  });
}

async function churn(t: TestContext, topology: Topology): Promise<void> {
  t.diagnostic(`seed ${seed}, ${operations} operations (SIGMESH_CHURN_SEED / SIGMESH_CHURN_OPS)`);
  const next = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const warnings: string[] = [];
  const slots: Slot[] = [];
  let network: (index: number) => Parameters<typeof startSlot>[2];
  if (topology === 'full mesh') {
    const dht = await createLocalDht({ nodes: 6 });
    t.after(() => dht.close());
    const bootstrap = dht.bootstrap.map((a) => `${a.host}:${a.port}`).join(',');
    network = () => ({ bootstrap });
  } else {
    // Node i names node i − 1; a restarted node takes its predecessor's port, so the line holds.
    const ports: number[] = [];
    network = (index) => ({
      peers: index === 0 ? [] : [`http://127.0.0.1:${ports[index - 1]}`],
      port: ports[index] ?? 0,
    });
    for (let i = 0; i < 5; i++) {
      const slot = await startSlot(t, warnings, network(i));
      ports[i] = slot.node.address().port;
      slots.push(slot);
    }
  }
  for (let i = slots.length; i < 5; i++) slots.push(await startSlot(t, warnings, network(i)));
  const counts = { join: 0, leave: 0, cut: 0, restart: 0 };
  let slowest = 0;

  const truth = (room: number): Set<PeerId> =>
    new Set(
      slots.flatMap((slot) => [
        slot.watchers[room]!.peerId,
        ...slot.members[room]!.map((m) => m.peerId),
      ]),
    );
  const checkpoint = async (label: string): Promise<void> => {
    const started = Date.now();
    if (topology === 'line') {
      // Cut links come back (redial with backoff) before the views can agree again.
      await waitFor(
        () =>
          slots.every((slot, i) => slot.node.meshStats().links === (i === 0 || i === 4 ? 1 : 2)),
        `${label}: the line linked again`,
        15_000,
      );
    }
    for (let room = 0; room < rooms.length; room++) {
      const expected = truth(room);
      const views = (): Array<{ watcher: TestMember; view: Set<PeerId> }> =>
        slots.map((slot) => ({ watcher: slot.watchers[room]!, view: slot.watchers[room]!.view() }));
      const agree = (): boolean =>
        views().every(
          ({ watcher, view }) =>
            view.size === expected.size - 1 &&
            [...view].every((peer) => expected.has(peer) && peer !== watcher.peerId),
        );
      try {
        await waitFor(agree, `${label}: room ${room} views equal the truth`, 15_000);
      } catch (error) {
        const detail = views()
          .map(({ view }, i) => {
            const extra = [...view].filter((p) => !expected.has(p));
            const missing = [...expected].filter(
              (p) => !view.has(p) && p !== slots[i]!.watchers[room]!.peerId,
            );
            return `node ${i}: ${extra.length} ghosts, ${missing.length} missing`;
          })
          .join('; ');
        throw new Error(`${(error as Error).message} (seed ${seed}): ${detail}`);
      }
    }
    slowest = Math.max(slowest, Date.now() - started);
  };

  await checkpoint('start');
  for (let op = 1; op <= operations; op++) {
    const roll = next();
    const slot = pick(slots);
    const room = Math.floor(next() * rooms.length);
    if (roll < 0.5 || slot.members[room]!.length === 0) {
      slot.members[room]!.push(await joinRoom(slot.node.url(), rooms[room]!));
      counts.join++;
    } else if (roll < 0.93) {
      const list = slot.members[room]!;
      const [gone] = list.splice(Math.floor(next() * list.length), 1);
      gone!.close();
      counts.leave++;
    } else if (roll < 0.99) {
      const linked = slot.node.meshStats().links > 0 ? pick(slots).node : undefined;
      if (linked !== undefined && linked !== slot.node && slot.node.disconnect(linked.id()))
        counts.cut++;
    } else {
      // A node goes away (its members with it) and a new one takes its place.
      const index = slots.indexOf(slot);
      slot.members.flat().forEach((m) => m.close());
      slot.watchers.forEach((w) => w.close());
      await slot.node.stop();
      slots[index] = await startSlot(t, warnings, network(index));
      counts.restart++;
    }
    if (op % 250 === 0) await checkpoint(`after ${op} operations`);
  }
  await checkpoint('end');
  t.diagnostic(
    `${counts.join} joins, ${counts.leave} leaves, ${counts.cut} links cut, ${counts.restart} node restarts; slowest checkpoint ${slowest} ms`,
  );
  for (const slot of slots) slot.members.flat().forEach((m) => m.close());
  assert.deepEqual(warnings, [], 'no node logged a warning');
}
