// Presence convergence after a node dies or hangs, at the default mesh timings (beats every 1 s,
// lease 4 s): a room with one watcher on each of N node processes; in each trial a member joins
// on a victim node, every watcher sees it, then the victim gets SIGKILL (dies) or SIGSTOP (hangs)
// and the time until the last watcher elsewhere sees the member leave is recorded. The victim is
// then replaced by a fresh node process. Goal (issue 10): ≤ 5 s at the default settings.
//
//   node --conditions=source --import tsx bench/mesh/convergence.ts [--nodes 4] [--trials 8]
import { deriveRoomHash } from '@sigmesh/protocol';
import { argument, median, round } from '../lib/bench-report.js';
import { stopAllChildren } from '../lib/child-process.js';
import { startMeshCluster, type NodeProcess } from './mesh-cluster.js';
import { saveMeshResults } from './mesh-results.js';
import { nowMs, openRoomStream, percentile, sleep, type RoomStream } from './room-stream.js';

const nodeCount = Number(argument('nodes', '4'));
const trials = Number(argument('trials', '8'));
const room = deriveRoomHash('sigmesh-bench-convergence', Math.random().toString(36));

/** A room member that records when it saw each peer join and leave. */
interface Watcher {
  readonly stream: RoomStream;
  readonly joined: Map<string, number>;
  readonly left: Map<string, number>;
}

async function watch(port: number): Promise<Watcher> {
  const stream = await openRoomStream(port, room);
  const watcher: Watcher = { stream, joined: new Map(), left: new Map() };
  stream.onJoin = (peerId) => watcher.joined.set(peerId, nowMs());
  stream.onLeave = (peerId) => watcher.left.set(peerId, nowMs());
  return watcher;
}

async function until(check: () => boolean, what: string, ms: number): Promise<void> {
  const end = nowMs() + ms;
  while (!check()) {
    if (nowMs() > end) throw new Error(`timed out: ${what}`);
    await sleep(5);
  }
}

process.stdout.write(
  `presence convergence: ${nodeCount} node processes, ${trials} trials per kind\n`,
);
// Default mesh timings; only the bench price and caps of startMeshCluster differ.
const cluster = await startMeshCluster({ nodes: nodeCount, dhtNodes: 10 });
const nodes: NodeProcess[] = [...cluster.nodes];
const watchers: Watcher[] = [];
for (const node of nodes) watchers.push(await watch(node.port));

const results: Record<'kill' | 'hang', number[]> = { kill: [], hang: [] };
try {
  for (let trial = 0; trial < trials * 2; trial++) {
    const kind = trial % 2 === 0 ? 'kill' : 'hang';
    const index = 1 + (trial % (nodes.length - 1)); // node 0 stays, the others take turns
    const victim = nodes[index]!;
    const member = await openRoomStream(victim.port, room);
    const others = watchers.filter((_, i) => i !== index);
    await until(
      () => others.every((w) => w.joined.has(member.peerId)),
      `the victim's member seen by every other watcher`,
      20_000,
    );
    const started = nowMs();
    process.kill(victim.child.pid, kind === 'kill' ? 'SIGKILL' : 'SIGSTOP');
    await until(
      () => others.every((w) => w.left.has(member.peerId)),
      `the victim's member gone everywhere (${kind})`,
      30_000,
    );
    const converged = Math.max(...others.map((w) => w.left.get(member.peerId)! - started));
    results[kind].push(round(converged, 0));
    process.stdout.write(`  trial ${trial} ${kind}: ${round(converged, 0)} ms\n`);
    member.close();
    watchers[index]!.stream.close();
    if (kind === 'hang') process.kill(victim.child.pid, 'SIGCONT');
    await victim.child.stop();
    nodes[index] = await cluster.add();
    watchers[index] = await watch(nodes[index].port);
    await sleep(500);
  }
} finally {
  for (const watcher of watchers) watcher.stream.close();
  await cluster.stop();
  stopAllChildren();
}

const summary = (values: number[]) => ({
  trials: values.length,
  medianMs: median(values),
  p95Ms: percentile(values, 95),
  maxMs: Math.max(...values),
});
const section = {
  method: `${nodeCount} sigmesh nodes as child processes on a loopback DHT (bench price, default mesh timings: beat 1 s, lease 4 s); a watcher on each; per trial a member joins on a victim node, then SIGKILL (kill) or SIGSTOP (hang) of the victim; time = signal → the last other watcher's presence leave of that member; the victim is replaced by a fresh node`,
  kill: summary(results.kill),
  hang: summary(results.hang),
  goalMs: 5_000,
};
process.stdout.write(`${JSON.stringify(section, null, 2)}\n`);
process.stdout.write(`  results → ${saveMeshResults('convergence', section)}\n`);
process.exit(0);
