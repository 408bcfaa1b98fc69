// Samples of a soak run: every process's CPU, each node's memory and counters, the machine's idle
// share and the latency window (bench/soak/soak-run.ts takes one every --sample-every-s).
import { loadavg } from 'node:os';
import { cpuJiffies, cpuShares, round } from '../lib/bench-report.js';
import type { BenchChild } from '../lib/child-process.js';
import { LatencyHistogram, type SerializedHistogram } from './latency-histogram.js';
import type { TimelineSample } from './soak-summary.js';
import type { NodeSample, SoakCluster } from './soak-cluster.js';

/** CPU seconds used so far by every process of the soak. */
export async function processCpu(cluster: SoakCluster): Promise<Record<string, number>> {
  const seconds = async (child: BenchChild): Promise<number> => {
    const { cpu } = await child.call<{ cpu: NodeJS.CpuUsage }>({ type: 'cpu' });
    return (cpu.user + cpu.system) / 1e6;
  };
  const result: Record<string, number> = {};
  for (const [i, node] of cluster.nodes.entries()) result[`node${i}`] = await seconds(node.child);
  for (const [i, generator] of cluster.generators.entries())
    result[`generator${i}`] = await seconds(generator);
  result.dht = await seconds(cluster.dht);
  const own = process.cpuUsage();
  result.driver = (own.user + own.system) / 1e6;
  return result;
}

/** Machine CPU counters at the previous sample (idle and steal shares per window). */
let lastJiffies = cpuJiffies();

export async function takeSample(
  cluster: SoakCluster,
  at: number,
  phase: string,
): Promise<TimelineSample> {
  const nodes = await Promise.all(cluster.nodes.map((node) => node.sample()));
  const generators = await Promise.all(
    cluster.generators.map((generator) =>
      generator.call<{
        open: number;
        counters: Record<string, unknown>;
        latencyWindow: SerializedHistogram;
        elu: number;
        rss: number;
      }>({ type: 'sample' }),
    ),
  );
  const window = new LatencyHistogram();
  for (const g of generators) window.merge(g.latencyWindow);
  const MiB = 2 ** 20;
  const shares = cpuShares(lastJiffies);
  lastJiffies = cpuJiffies();
  return {
    at,
    phase,
    loadavg1: round(loadavg()[0]!, 2),
    machineIdle: shares.idle,
    machineSteal: shares.steal,
    nodes: nodes.map((n: NodeSample) => ({
      rssMiB: round(n.memory.rss / MiB, 2),
      heapUsedMiB: round(n.memory.heapUsed / MiB, 2),
      heapTotalMiB: round(n.memory.heapTotal / MiB, 2),
      externalMiB: round(n.memory.external / MiB, 2),
      elu: round(n.elu, 3),
      cpuS: round((n.cpu.user + n.cpu.system) / 1e6, 2),
      members: n.rooms.members,
      rooms: n.rooms.rooms,
      messages: n.rooms.messages,
      deliveries: n.rooms.deliveries,
      cut: n.rooms.slowConsumersCut,
      links: n.mesh.links ?? 0,
      remoteMembers: n.mesh.remoteMembers ?? 0,
      messagesRefused: n.mesh.messagesRefused ?? 0,
      presenceRefused: n.mesh.presenceRefused ?? 0,
      framesDropped: n.mesh.framesDropped ?? 0,
      connections: n.connections.open ?? 0,
      dhtOperationsFailed: Object.entries(n.log)
        .filter(([key]) => /discovery: room (announce|lookup) failed/.test(key))
        .reduce((sum, [, count]) => sum + count, 0),
    })),
    generators: generators.map((g) => ({
      open: g.open,
      elu: round(g.elu, 3),
      rssMiB: round(g.rss / MiB, 1),
      postsOk: g.counters.postsOk as number,
      messagesRead: g.counters.messagesRead as number,
      joins: g.counters.joins as number,
      closedByNode: g.counters.closedByNode as number,
    })),
    latencyWindow: window.summary(),
  };
}

export function describe(sample: TimelineSample, at: number): string {
  const members = sample.generators.reduce((sum, g) => sum + g.open, 0);
  const read = sample.generators.reduce((sum, g) => sum + g.messagesRead, 0);
  return `t=${at} s ${sample.phase}: ${members} members, ${read} messages read, p99 ${sample.latencyWindow.p99} ms, RSS ${sample.nodes.map((n) => n.rssMiB.toFixed(0)).join('/')} MiB, heap ${sample.nodes.map((n) => n.heapUsedMiB.toFixed(0)).join('/')} MiB, ELU ${sample.nodes.map((n) => n.elu.toFixed(2)).join('/')}, load ${sample.loadavg1}`;
}

/** Runs `run` every `ms` (never two at once) until stopped. */
export function startSampler(
  ms: number,
  run: () => Promise<void>,
): { stop(): void; idle(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(run).catch((error: unknown) => {
      process.stderr.write(`sample failed: ${String(error)}\n`);
    });
  }, ms);
  return {
    stop: () => clearInterval(timer),
    idle: () => running,
  };
}
