// Memory per node in the testnet: one child process (--expose-gc) hosts createTestnet with K
// sigmesh nodes on a loopback DHT of K plain nodes; another hosts only that DHT. Per node =
// (testnet − DHT alone) / K, read after full collections, at three points: idle; one room with
// one member on each node (rooms differ: no links); and one more room shared by every node (a
// full mesh: K − 1 links per node). Members are raw sockets in this (parent) process.
//
//   node --conditions=source --import tsx bench/mesh/testnet-memory.ts [--sizes 10,30]
import { deriveRoomHash } from '@sigmesh/protocol';
import { argument, round } from '../lib/bench-report.js';
import { startChild, stopAllChildren, type BenchChild } from '../lib/child-process.js';
import { saveMeshResults } from './mesh-results.js';
import { nowMs, openRoomStream, sleep, type RoomStream } from './room-stream.js';

const sizes = argument('sizes', '10,30').split(',').map(Number);
const runId = Math.random().toString(36).slice(2);
const MiB = 1024 * 1024;

type Reading = Pick<NodeJS.MemoryUsage, 'rss' | 'heapUsed' | 'external' | 'arrayBuffers'>;

async function memory(child: BenchChild): Promise<Reading> {
  const { memory: m, gc } = await child.call<{ memory: NodeJS.MemoryUsage; gc: boolean }>({
    type: 'memory',
  });
  if (!gc) throw new Error('child has no gc(): --expose-gc missing');
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

function mib(reading: Reading): Record<string, number> {
  return {
    rssMiB: round(reading.rss / MiB, 1),
    heapUsedMiB: round(reading.heapUsed / MiB, 1),
    externalMiB: round(reading.external / MiB, 1),
  };
}

function perNode(total: Reading, base: Reading, nodes: number): Record<string, number> {
  return {
    rssMiB: round((total.rss - base.rss) / nodes / MiB, 2),
    heapUsedMiB: round((total.heapUsed - base.heapUsed) / nodes / MiB, 2),
    externalMiB: round((total.external - base.external) / nodes / MiB, 2),
  };
}

const results: Record<string, unknown>[] = [];
try {
  for (const nodes of sizes) {
    // The DHT alone, in its own process.
    const dhtChild = await startChild('../mesh/testnet-memory-child.ts', [], ['--expose-gc']);
    const dhtEmpty = await memory(dhtChild);
    await dhtChild.call({ type: 'dht', nodes });
    await sleep(2000);
    const dhtOnly = await memory(dhtChild);
    await dhtChild.call({ type: 'close' });
    await dhtChild.stop();

    const child = await startChild('../mesh/testnet-memory-child.ts', [], ['--expose-gc']);
    const empty = await memory(child);
    const started = nowMs();
    const { ports } = await child.call<{ ports: number[] }>({
      type: 'testnet',
      nodes,
      dhtNodes: nodes,
    });
    const setupSeconds = round((nowMs() - started) / 1000, 1);
    await sleep(3000);
    const linksOf = async (): Promise<number> =>
      (await child.call<{ links: number[] }>({ type: 'mesh' })).links.reduce((a, b) => a + b, 0);
    // Nodes verify each other with short-lived mesh links (closed after meshIdleCloseMs), so
    // "idle" is not link-free: the total is recorded with each reading.
    const idleLinks = await linksOf();
    const idle = await memory(child);
    const members: RoomStream[] = [];
    for (const [i, port] of ports.entries())
      members.push(
        await openRoomStream(port, deriveRoomHash('sigmesh-bench-mem', `${runId}-${i}`)),
      );
    await sleep(3000);
    const oneRoomEachLinks = await linksOf();
    const oneRoomEach = await memory(child);
    const shared = deriveRoomHash('sigmesh-bench-mem', `${runId}-shared`);
    for (const port of ports) members.push(await openRoomStream(port, shared));
    // Wait (bounded) for the full mesh: every node linked to every other.
    const deadline = nowMs() + 30_000;
    let links: number[] = [];
    while (nowMs() < deadline) {
      ({ links } = await child.call<{ links: number[] }>({ type: 'mesh' }));
      if (links.every((count) => count >= nodes - 1)) break;
      await sleep(500);
    }
    await sleep(1000);
    const fullMesh = await memory(child);
    for (const member of members) member.close();
    await child.call({ type: 'close' });
    await child.stop();

    const dhtPart = {
      rss: dhtOnly.rss - dhtEmpty.rss,
      heapUsed: dhtOnly.heapUsed - dhtEmpty.heapUsed,
      external: dhtOnly.external - dhtEmpty.external,
      arrayBuffers: 0,
    };
    const base = (r: Reading): Reading => ({
      rss: empty.rss + dhtPart.rss,
      heapUsed: empty.heapUsed + dhtPart.heapUsed,
      external: empty.external + dhtPart.external,
      arrayBuffers: r.arrayBuffers,
    });
    const line = {
      nodes,
      dhtNodes: nodes,
      testnetSetupSeconds: setupSeconds,
      process: {
        empty: mib(empty),
        idle: mib(idle),
        oneRoomEach: mib(oneRoomEach),
        fullMesh: mib(fullMesh),
      },
      dhtAlone: { perDhtNode: perNode(dhtOnly, dhtEmpty, nodes), total: mib(dhtOnly) },
      perSigmeshNode: {
        idle: perNode(idle, base(idle), nodes),
        oneRoomEach: perNode(oneRoomEach, base(oneRoomEach), nodes),
        fullMesh: perNode(fullMesh, base(fullMesh), nodes),
      },
      perNodeIncludingItsDhtNode: {
        idle: perNode(idle, empty, nodes),
        oneRoomEach: perNode(oneRoomEach, empty, nodes),
        fullMesh: perNode(fullMesh, empty, nodes),
      },
      linkEndsAtReading: {
        idle: idleLinks,
        oneRoomEach: oneRoomEachLinks,
        fullMesh: links.reduce((a, b) => a + b, 0),
      },
      fullMeshLinks: { min: Math.min(...links), max: Math.max(...links), wanted: nodes - 1 },
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    results.push(line);
  }
} finally {
  stopAllChildren();
}
// The marginal cost of one more node between the smallest and largest testnet: free of the
// one-off cost (code, module state) the first node in a process pays.
const first = results[0];
const last = results[results.length - 1];
const marginal =
  first === undefined || last === undefined || first === last
    ? undefined
    : (['idle', 'oneRoomEach', 'fullMesh'] as const).map((phase) => {
        const at = (line: Record<string, unknown>): { rssMiB: number; heapUsedMiB: number } =>
          (line.process as Record<string, { rssMiB: number; heapUsedMiB: number }>)[phase]!;
        const nodes = Number(last.nodes) - Number(first.nodes);
        const dht = (line: Record<string, unknown>): number =>
          (line.dhtAlone as { perDhtNode: { heapUsedMiB: number } }).perDhtNode.heapUsedMiB;
        return {
          phase,
          rssMiBPerNode: round((at(last).rssMiB - at(first).rssMiB) / nodes, 2),
          heapUsedMiBPerNode: round((at(last).heapUsedMiB - at(first).heapUsedMiB) / nodes, 2),
          ofWhichDhtNodeHeapMiB: round((dht(first) + dht(last)) / 2, 2),
        };
      });
if (marginal !== undefined)
  process.stdout.write(`marginal per node: ${JSON.stringify(marginal)}\n`);
const file = saveMeshResults('memory', {
  marginalPerNode: marginal ?? null,
  method:
    'one child process (--expose-gc) hosts createTestnet({ nodes: K, dhtNodes: K }) with bench node options; another hosts createLocalDht({ nodes: K }) alone; memory read after 4 × (gc + 100 ms); per sigmesh node = (testnet process − empty process − DHT-alone growth) / K; members are raw sockets from the parent; phases: idle 3 s after start, one private room per node (3 s), one more room shared by all nodes (until full mesh, ≤ 30 s)',
  sizes: results,
});
process.stdout.write(`results → ${file}\n`);
