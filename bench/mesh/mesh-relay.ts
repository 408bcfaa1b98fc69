// Mesh relay cost: the added latency of one mesh hop (idle and at half load) and cross-node
// throughput, on two sigmesh nodes in two child processes joined through a loopback DHT.
//
//   node --conditions=source --import tsx bench/mesh/mesh-relay.ts [--rounds 4] [--probes 150]
//     [--seconds 3] [--connections 16] [--mesh-fps 1000000] [--name relay] [--skip-latency]
//     [--dedupe-size N] [--paced RATE]  (also post open-loop at RATE/s into the one-hop room, --rounds times)
//
// Latency: a prober on node A posts into room L, which has one listener on A and one on B; each
// probe's post→delivery time is read on both listeners from the same post, so "same node" and
// "other node" are measured on identical messages. Probes go one at a time (the next after both
// arrived). Half load: a background publisher on A posts into room G (listeners on A and B) at
// half the saturating post rate measured first in G. Idle and loaded blocks alternate.
// Throughput: closed-loop posting on A, counted at one listener on A (room S, single node) or on
// B (room C, one hop), in alternating rounds.
import { cpus, loadavg } from 'node:os';
import { deriveRoomHash } from '@sigmesh/protocol';
import { argument, cpuJiffies, cpuShares, median, round } from '../lib/bench-report.js';
import { startChild, stopAllChildren } from '../lib/child-process.js';
import {
  closedLoop as closedLoopIn,
  openCountRoom,
  pace as paceIn,
  type CountRoom,
} from './count-room.js';
import { startMeshCluster, type NodeProcess } from './mesh-cluster.js';
import { saveMeshResults } from './mesh-results.js';
import { RoomPoster, nowMs, openRoomStream, percentile, sleep } from './room-stream.js';

const rounds = Number(argument('rounds', '4'));
const probesPerBlock = Number(argument('probes', '150'));
const windowSeconds = Number(argument('seconds', '3'));
const connectionCount = Number(argument('connections', '16'));
const meshFps = Number(argument('mesh-fps', '1000000'));
const name = argument('name', 'relay');
const skipLatency = process.argv.includes('--skip-latency');
// meshDedupeSize for both nodes (0: the node default, 100,000). A full dedupe set makes every
// post and relayed frame slower (see docs/performance-mesh.md), so the main run sets it above
// the number of messages a run sends, and the slowdown is measured separately.
const dedupeSize = Number(argument('dedupe-size', '0'));
const loadAtStart = loadavg().map((l) => round(l, 2));
const runId = Math.random().toString(36).slice(2);
const room = (label: string): string => deriveRoomHash('sigmesh-bench-mesh', `${label}-${runId}`);
const payload = 'x'.repeat(96);

process.stdout.write(
  `mesh relay: 2 node processes, mesh frame limit ${meshFps}/s per link, ${rounds} rounds\n`,
);
const cluster = await startMeshCluster({
  nodes: 2,
  dhtNodes: 20,
  nodeOptions: {
    meshFramesPerSecond: meshFps,
    // The owner allowance bounds unpaid injection; this bench measures raw relay capacity.
    meshOwnerMessagesPerSecond: meshFps,
    ...(dedupeSize > 0 ? { meshDedupeSize: dedupeSize } : {}),
  },
});
const [a, b] = cluster.nodes as [NodeProcess, NodeProcess];

const countRoom = (label: string, listenOn: readonly NodeProcess[]): Promise<CountRoom> =>
  openCountRoom({
    hash: room(label),
    publisherPort: a.port,
    listenPorts: listenOn.map((node) => node.port),
    connections: connectionCount,
  });

const setupStarted = nowMs();
const latencyHash = room('latency');
const prober = await openRoomStream(a.port, latencyHash);
const sameNode = await startChild('../mesh/listener-child.ts');
const otherNode = await startChild('../mesh/listener-child.ts');
await sameNode.call({ type: 'join', port: a.port, room: latencyHash });
await otherNode.call({ type: 'join', port: b.port, room: latencyHash });
const probePoster = await RoomPoster.open(a.port, latencyHash, prober.session);
const background = await countRoom('background', [a, b]);
const single = await countRoom('single', [a]);
const cross = await countRoom('cross', [b]);
process.stdout.write(
  `  setup (DHT, nodes, rendezvous of 4 rooms): ${round((nowMs() - setupStarted) / 1000, 1)} s\n`,
);

const closedLoop = (target: CountRoom, seconds: number): ReturnType<typeof closedLoopIn> =>
  closedLoopIn(target, seconds, { nodeA: a.child, nodeB: b.child }, payload);

// 1. Saturating post rate in the background room (after a warm-up of every path).
await closedLoop(background, 2);
await closedLoop(single, 2);
await closedLoop(cross, 2);
// Three windows, the median one: a single window on a shared 2-core machine can land in a burst
// of other load and set "half load" far too low (or high).
const saturationWindows: Awaited<ReturnType<typeof closedLoop>>[] = [];
for (let i = 0; i < 3; i++) saturationWindows.push(await closedLoop(background, windowSeconds));
saturationWindows.sort((x, y) => x.posts / x.seconds - y.posts / y.seconds);
const saturation = saturationWindows[1]!;
const saturatingRate = saturation.posts / saturation.seconds;
process.stdout.write(
  `  saturation (room G, listeners on A and B): ${Math.round(saturatingRate)} posts/s, ${Math.round(saturation.delivered / saturation.seconds)} deliveries/s; cpu ${JSON.stringify(saturation.cpu)}\n`,
);

// 2. Throughput rounds, single node vs one hop, alternating.
interface ThroughputRound {
  readonly kind: 'single' | 'cross';
  readonly round: number;
  readonly postsPerSecond: number;
  readonly deliveredPerSecond: number;
  readonly lost: number;
  /** Listener `leave` events the publisher saw during the round (mesh link cut and redialed). */
  readonly leavesSeen: number;
  readonly cpu: Record<string, number>;
  /** CPU µs per delivered message on A, on B, and both: robust to other load on the machine. */
  readonly cpuMicrosPerMessage: { nodeA: number; nodeB: number; nodes: number };
  readonly steal: number;
  /** Machine-wide idle CPU share during the window (low: other processes competed). */
  readonly idle: number;
}
const throughput: ThroughputRound[] = [];
for (let r = 0; r < rounds; r++) {
  for (const kind of r % 2 === 0
    ? (['single', 'cross'] as const)
    : (['cross', 'single'] as const)) {
    const target = kind === 'single' ? single : cross;
    const leavesBefore = target.leaves.count;
    const result = await closedLoop(target, windowSeconds);
    await sleep(500);
    const entry: ThroughputRound = {
      kind,
      round: r,
      postsPerSecond: Math.round(result.posts / result.seconds),
      deliveredPerSecond: Math.round(result.delivered / result.seconds),
      // Posts accepted whose message never reached the listener (counted 0.5 s after the window).
      lost: result.posts - target.received.count,
      leavesSeen: target.leaves.count - leavesBefore,
      cpu: result.cpu,
      cpuMicrosPerMessage: {
        nodeA: round((result.cpu.nodeA! * 1e6) / result.delivered, 1),
        nodeB: round((result.cpu.nodeB! * 1e6) / result.delivered, 1),
        nodes: round(((result.cpu.nodeA! + result.cpu.nodeB!) * 1e6) / result.delivered, 1),
      },
      steal: result.steal,
      idle: result.idle,
    };
    throughput.push(entry);
    process.stdout.write(
      `  throughput round ${r} ${kind.padEnd(6)} ${entry.postsPerSecond} posts/s → ${entry.deliveredPerSecond} delivered/s, lost ${entry.lost}, leaves ${entry.leavesSeen}; cpu µs/msg ${JSON.stringify(entry.cpuMicrosPerMessage)} steal ${entry.steal} idle ${entry.idle}\n`,
    );
  }
}

// 3. Latency blocks: idle and under half load, alternating.
interface Probe {
  readonly load: 'idle' | 'half';
  readonly round: number;
  readonly sameMs: number;
  readonly otherMs: number;
}
const probes: Probe[] = [];
let lostProbes = 0;
const arrivals = new Map<number, { same?: number; other?: number; wake?: () => void }>();
const onArrival =
  (side: 'same' | 'other') =>
  (event: Record<string, unknown>): void => {
    if (event.type !== 'arrival') return;
    const entry = arrivals.get(Number(event.seq));
    if (entry === undefined) return;
    entry[side] = Number(event.at);
    if (entry.same !== undefined && entry.other !== undefined) entry.wake?.();
  };
sameNode.onEvent(onArrival('same'));
otherNode.onEvent(onArrival('other'));
let seq = 0;

const pace = (
  rate: number,
  stop: { done: boolean },
  into: CountRoom = background,
): ReturnType<typeof paceIn> => paceIn(rate, stop, into, payload);

// 2b. Open-loop posting at --paced RATE into the one-hop room (below what A can take, so the
// figure does not depend on other load on the machine): what reaches B, what is lost, and
// whether the link is cut (B's listener reported gone to the publisher).
const pacedRate = Number(argument('paced', '0'));
const paced: Record<string, number>[] = [];
for (let r = 0; pacedRate > 0 && r < rounds; r++) {
  const stop = { done: false };
  const leavesBefore = cross.leaves.count;
  cross.received.count = 0;
  const timer = setTimeout(() => (stop.done = true), windowSeconds * 1000);
  const run = await pace(pacedRate, stop, cross);
  clearTimeout(timer);
  const deliveredInWindow = cross.received.count;
  await sleep(1000);
  const entry = {
    round: r,
    targetPerSecond: pacedRate,
    postedPerSecond: Math.round(run.sent / run.seconds),
    deliveredPerSecond: Math.round(deliveredInWindow / run.seconds),
    lost: run.sent - cross.received.count,
    leavesSeen: cross.leaves.count - leavesBefore,
  };
  paced.push(entry);
  process.stdout.write(`  paced one-hop round ${r}: ${JSON.stringify(entry)}\n`);
}

const loadRuns: { rate: number; achieved: number; skipped: number }[] = [];
const blockCpu: { load: 'idle' | 'half'; round: number; steal: number; idle: number }[] = [];
async function probeBlock(load: 'idle' | 'half', r: number): Promise<void> {
  const stop = { done: false };
  const jiffies = cpuJiffies();
  const pacing = load === 'half' ? pace(saturatingRate / 2, stop) : undefined;
  if (pacing !== undefined) await sleep(500); // let the background settle
  for (let i = 0; i < probesPerBlock; i++) {
    const id = seq++;
    const entry: { same?: number; other?: number; wake?: () => void } = {};
    arrivals.set(id, entry);
    const arrived = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 5_000);
      entry.wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
    const sentAt = nowMs();
    await probePoster.post({ seq: id, payload });
    if (!(await arrived)) lostProbes++;
    else
      probes.push({ load, round: r, sameMs: entry.same! - sentAt, otherMs: entry.other! - sentAt });
    arrivals.delete(id);
    // Spread probes out a little so they sample the background at different phases.
    await sleep(2 + Math.random() * 8);
  }
  stop.done = true;
  blockCpu.push({ load, round: r, ...cpuShares(jiffies) });
  if (pacing !== undefined) {
    const paced = await pacing;
    loadRuns.push({
      rate: Math.round(saturatingRate / 2),
      achieved: Math.round(paced.sent / paced.seconds),
      skipped: paced.skipped,
    });
  }
}

for (let i = 0; i < 20; i++) {
  // untimed warm-up probes
  await probePoster.post({ warm: i });
}
for (let r = 0; r < (skipLatency ? 0 : rounds); r++) {
  for (const load of r % 2 === 0 ? (['idle', 'half'] as const) : (['half', 'idle'] as const)) {
    await probeBlock(load, r);
    await sleep(500);
  }
  process.stdout.write(`  latency round ${r} done (${probes.length} probes, ${lostProbes} lost)\n`);
}

const meshA = await a.child.call<{ mesh: Record<string, number> }>({ type: 'meshStats' });
const meshB = await b.child.call<{ mesh: Record<string, number> }>({ type: 'meshStats' });
for (const stream of [prober, background.publisher, single.publisher, cross.publisher])
  stream.close();
await sameNode.stop();
await otherNode.stop();
for (const target of [background, single, cross]) {
  for (const poster of target.posters) poster.close();
  for (const listener of target.listeners) listener.socket.destroy();
}
probePoster.close();
await cluster.stop();
stopAllChildren();

function latencySummary(load: 'idle' | 'half'): Record<string, number> {
  const list = probes.filter((p) => p.load === load);
  const same = list.map((p) => p.sameMs);
  const other = list.map((p) => p.otherMs);
  const hop = list.map((p) => p.otherMs - p.sameMs);
  const summary = {
    probes: list.length,
    sameNodeP50Ms: round(percentile(same, 50)),
    sameNodeP99Ms: round(percentile(same, 99)),
    otherNodeP50Ms: round(percentile(other, 50)),
    otherNodeP99Ms: round(percentile(other, 99)),
    hopP50Ms: round(percentile(other, 50) - percentile(same, 50)),
    hopP99Ms: round(percentile(other, 99) - percentile(same, 99)),
    pairedHopP50Ms: round(percentile(hop, 50)),
    pairedHopP99Ms: round(percentile(hop, 99)),
    ratioP50: round(percentile(other, 50) / percentile(same, 50), 2),
    ratioP99: round(percentile(other, 99) / percentile(same, 99), 2),
  };
  process.stdout.write(`  latency ${load}: ${JSON.stringify(summary)}\n`);
  return summary;
}

const pick = (kind: 'single' | 'cross'): number =>
  median(throughput.filter((t) => t.kind === kind).map((t) => t.deliveredPerSecond));
const cpuPick = (kind: 'single' | 'cross', part: 'nodeA' | 'nodeB' | 'nodes'): number =>
  median(throughput.filter((t) => t.kind === kind).map((t) => t.cpuMicrosPerMessage[part]));
const singleRate = pick('single');
const crossRate = pick('cross');
process.stdout.write(
  `  throughput median: single node ${singleRate}/s, one hop ${crossRate}/s, ratio ${round(crossRate / singleRate)}\n`,
);
const file = saveMeshResults(name, {
  method: `2 sigmesh nodes (A, B) in 2 child processes, loopback DHT of 20 nodes in a third; load generator in the parent on the same ${cpus().length}-core machine; price 1 (flat), meshFramesPerSecond ${meshFps}; ${rounds} rounds; ${connectionCount} keep-alive connections for closed-loop posting, ${windowSeconds} s windows; ${probesPerBlock} probes per latency block, one in flight; payload ~130-byte JSON body`,
  meshFramesPerSecond: meshFps,
  meshDedupeSize: dedupeSize > 0 ? dedupeSize : 'default (100000)',
  loadAverageAtStart: loadAtStart,
  loadAverageAtEnd: loadavg().map((l) => round(l, 2)),
  saturation: {
    room: 'G: publisher on A, one listener on A and one on B',
    windowsPostsPerSecond: saturationWindows.map((w) => Math.round(w.posts / w.seconds)),
    postsPerSecond: Math.round(saturatingRate),
    deliveriesPerSecond: Math.round(saturation.delivered / saturation.seconds),
    cpu: saturation.cpu,
  },
  latency: skipLatency
    ? 'skipped'
    : {
        idle: latencySummary('idle'),
        halfLoad: latencySummary('half'),
        lostProbes,
        loadRuns,
        blockCpu,
      },
  throughput: {
    medianDeliveredPerSecond: { singleNode: singleRate, oneHop: crossRate },
    ratio: round(crossRate / singleRate),
    medianCpuMicrosPerMessage: {
      singleNode: { nodeA: cpuPick('single', 'nodeA'), nodeB: cpuPick('single', 'nodeB') },
      oneHop: { nodeA: cpuPick('cross', 'nodeA'), nodeB: cpuPick('cross', 'nodeB') },
    },
    rounds: throughput,
  },
  pacedOneHop: pacedRate > 0 ? paced : 'not run',
  meshStats: { nodeA: meshA.mesh, nodeB: meshB.mesh },
});
process.stdout.write(`  results → ${file}\n`);
