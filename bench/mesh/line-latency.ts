// Added latency per mesh hop along a line of real node processes: what a message in a room on
// many nodes pays for each relay on its way (issue 15: "≤ 4 hops, p99 ≤ 50 ms on loopback").
//
//   node --conditions=source --import tsx bench/mesh/line-latency.ts [--nodes 6] [--rounds 3]
//     [--probes 150] [--load-rate 500] [--branches 0] [--name lineLatency]
//
// Nodes 0 … N-1 run each in its own child process, linked in a line by `meshPeers` (node i keeps
// a link to node i-1 only, no DHT), so a message posted on node 0 crosses i relays to reach node
// i. One listener per node, each in its own process, timestamps arrivals with process.hrtime (the
// parent's clock). Probes go one at a time (the next after every listener has it). Blocks of
// probes alternate idle and loaded: loaded, a background publisher on node 0 posts open-loop at
// --load-rate into a second room with a member on every node, so every relay also carries that
// room's flow. The default hop limit (6) covers the line of 6 (5 hops). With --branches K, every
// node of the line also links K leaf nodes (own processes, one member each, in both rooms), so a
// relay writes to K + 1 links, as a node of a room's overlay does to its room neighbours.
import { cpus, loadavg } from 'node:os';
import { deriveRoomHash } from '@sigmesh/protocol';
import { argument, cpuJiffies, cpuShares, round } from '../lib/bench-report.js';
import { startChild, stopAllChildren, type BenchChild } from '../lib/child-process.js';
import { openCountRoom, pace } from './count-room.js';
import { startNodeChild, type NodeProcess } from './mesh-cluster.js';
import { saveMeshResults } from './mesh-results.js';
import { RoomPoster, nowMs, openRoomStream, percentile, sleep } from './room-stream.js';

const nodeCount = Number(argument('nodes', '6'));
const rounds = Number(argument('rounds', '3'));
const probesPerBlock = Number(argument('probes', '150'));
const loadRate = Number(argument('load-rate', '500'));
const branches = Number(argument('branches', '0'));
const name = argument('name', 'lineLatency');
const runId = Math.random().toString(36).slice(2);
const room = (label: string): string => deriveRoomHash('sigmesh-bench-line', `${label}-${runId}`);
const payload = 'x'.repeat(96);
const loadAtStart = loadavg().map((l) => round(l, 2));

process.stdout.write(
  `line latency: ${nodeCount} node processes in a line, ${branches} leaves each, ${rounds} rounds\n`,
);
/** A node linked to the node at `peerPort` by `meshPeers` (no DHT). */
const linkedTo = (peerPort?: number): Promise<NodeProcess> =>
  startNodeChild({ meshPeers: peerPort === undefined ? [] : [`http://127.0.0.1:${peerPort}`] });
const nodes: NodeProcess[] = [];
for (let i = 0; i < nodeCount; i++) nodes.push(await linkedTo(nodes[i - 1]?.port));
const leaves: NodeProcess[] = [];
for (const spine of nodes)
  for (let k = 0; k < branches; k++) leaves.push(await linkedTo(spine.port));
const ports = nodes.map((n) => n.port);

const probeHash = room('probe');
const prober = await openRoomStream(ports[0]!, probeHash);
const listeners: BenchChild[] = [];
for (const port of ports) {
  const listener = await startChild('../mesh/listener-child.ts');
  await listener.call({ type: 'join', port, room: probeHash });
  listeners.push(listener);
}
const poster = await RoomPoster.open(ports[0]!, probeHash, prober.session);
const leafMembers = await Promise.all(leaves.map((leaf) => openRoomStream(leaf.port, probeHash)));
const background = await openCountRoom({
  hash: room('background'),
  publisherPort: ports[0]!,
  listenPorts: [...ports, ...leaves.map((leaf) => leaf.port)],
  connections: 4,
});

interface Pending {
  readonly at: (number | undefined)[];
  left: number;
  wake?: () => void;
}
const pending = new Map<number, Pending>();
listeners.forEach((listener, hop) =>
  listener.onEvent((event) => {
    if (event.type !== 'arrival') return;
    const entry = pending.get(Number(event.seq));
    if (entry === undefined || entry.at[hop] !== undefined) return;
    entry.at[hop] = Number(event.at);
    if (--entry.left === 0) entry.wake?.();
  }),
);

let seq = 0;
/** One probe: per hop, ms from the post written to the listener's read; undefined if lost. */
async function probe(timeoutMs: number): Promise<number[] | undefined> {
  const id = seq++;
  const entry: Pending = { at: ports.map(() => undefined), left: ports.length };
  pending.set(id, entry);
  const arrived = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    entry.wake = () => {
      clearTimeout(timer);
      resolve(true);
    };
  });
  const sentAt = nowMs();
  await poster.post({ seq: id, payload });
  const ok = await arrived;
  pending.delete(id);
  return ok ? entry.at.map((at) => at! - sentAt) : undefined;
}

// Presence has to cross the line before node 0 relays to it: probe until one reaches every node.
const setupStarted = nowMs();
while ((await probe(1_000)) === undefined) {
  if (nowMs() - setupStarted > 60_000) throw new Error('the line never carried a probe end to end');
}
process.stdout.write(
  `  line carries probes end to end after ${round((nowMs() - setupStarted) / 1000, 1)} s\n`,
);
for (let i = 0; i < 20; i++) await probe(5_000); // warm-up

type Load = 'idle' | 'loaded';
const samples: { load: Load; ms: number[] }[] = [];
const blocks: Record<string, unknown>[] = [];
let lost = 0;
for (let r = 0; r < rounds; r++) {
  for (const load of r % 2 === 0 ? (['idle', 'loaded'] as const) : (['loaded', 'idle'] as const)) {
    if (load === 'loaded' && loadRate <= 0) continue;
    const stop = { done: false };
    const jiffies = cpuJiffies();
    const pacing = load === 'loaded' ? pace(loadRate, stop, background, payload) : undefined;
    if (pacing !== undefined) await sleep(500);
    for (let i = 0; i < probesPerBlock; i++) {
      const ms = await probe(5_000);
      if (ms === undefined) lost++;
      else samples.push({ load, ms });
      await sleep(2 + Math.random() * 8);
    }
    stop.done = true;
    const paced = pacing === undefined ? undefined : await pacing;
    blocks.push({
      load,
      round: r,
      ...cpuShares(jiffies),
      ...(paced === undefined
        ? {}
        : { backgroundPostsPerSecond: Math.round(paced.sent / paced.seconds) }),
    });
    await sleep(300);
  }
  process.stdout.write(`  round ${r} done (${samples.length} probes, ${lost} lost)\n`);
}

/** Per hop count: p50 / p99 of the latency, and of the added latency against node 0's listener. */
function summary(load: Load): Record<string, unknown>[] {
  const list = samples.filter((s) => s.load === load).map((s) => s.ms);
  return ports.map((_, hop) => {
    const at = list.map((ms) => ms[hop]!);
    const added = list.map((ms) => ms[hop]! - ms[0]!);
    return {
      hops: hop,
      probes: list.length,
      p50Ms: round(percentile(at, 50)),
      p99Ms: round(percentile(at, 99)),
      addedP50Ms: round(percentile(added, 50)),
      addedP99Ms: round(percentile(added, 99)),
      addedMaxMs: round(Math.max(...added)),
    };
  });
}
const results = { idle: summary('idle'), loaded: loadRate > 0 ? summary('loaded') : 'not run' };
for (const [load, rows] of Object.entries(results)) {
  if (!Array.isArray(rows)) continue;
  process.stdout.write(`  ${load}:\n`);
  for (const row of rows) process.stdout.write(`    ${JSON.stringify(row)}\n`);
}

prober.close();
poster.close();
background.publisher.close();
for (const p of background.posters) p.close();
for (const l of background.listeners) l.socket.destroy();
for (const member of leafMembers) member.close();
for (const listener of listeners) await listener.stop();
for (const node of [...nodes, ...leaves]) await node.child.stop();
stopAllChildren();

const file = saveMeshResults(name, {
  method: `${nodeCount} sigmesh nodes in ${nodeCount} child processes linked in a line by meshPeers (no DHT), ${branches} leaf nodes (own processes, one member each) linked to each, one listener per node in its own process, probes posted on node 0 one at a time (${probesPerBlock} per block, ${rounds} rounds of an idle and a loaded block); loaded: ${loadRate} posts/s open-loop into a second room with a member on every node; price 1 (flat); ${cpus().length}-core machine shared by all ${2 * nodeCount + leaves.length + 1} processes`,
  branches,
  loadAverageAtStart: loadAtStart,
  loadAverageAtEnd: loadavg().map((l) => round(l, 2)),
  lostProbes: lost,
  blocks,
  ...results,
});
process.stdout.write(`  results → ${file}\n`);
