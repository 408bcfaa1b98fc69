// Per-node figures from two readings of every host: counters over a window, links, memory.
import { cpuJiffies, cpuShares, round } from '../lib/bench-report.js';
import type { HostReading, ScaleCluster } from './scale-cluster.js';

/** Mean and max over the nodes. */
export interface MeanMax {
  readonly mean: number;
  readonly max: number;
}

/** One node's traffic and CPU per minute over a window, averaged over the nodes. */
export interface WindowFigures {
  readonly seconds: number;
  readonly nodes: number;
  /** Mesh links at the end of the window. */
  readonly links: MeanMax;
  /** KRPC datagrams sent + received per node per minute (mean and the busiest node). */
  readonly dhtMessagesPerNodeMin: MeanMax;
  /** Every WebSocket frame the hosts sent (all mesh: handshakes, interest, presence, messages). */
  readonly meshFramesSentPerNodeMin: number;
  /** Room frames (presence and messages) sent + received, from the nodes' mesh counters. */
  readonly roomFramesPerNodeMin: MeanMax;
  /** Other owners' beat values each node received (and checked) per minute (absent before 12-04). */
  readonly beatValuesPerNodeMin?: MeanMax;
  /** The nodes' own beat intervals at the end of the window (ms; paced in rooms of many nodes). */
  readonly beatMs?: MeanMax;
  /** CPU seconds of the host processes per node per minute. */
  readonly cpuSecondsPerNodeMin: number;
  /** Mesh frames sent per node per minute by frame type (hello, auth, interest, beats, …). */
  readonly meshFramesByTypePerNodeMin: Readonly<Record<string, number>>;
  /** DHT routing table size, mean over nodes. */
  readonly routingTable: number;
  /** Worst host's event-loop delay in the window (p99, max; ms). */
  readonly hostLoopDelayMs: { p99: number; max: number };
  /** The machine's CPU in the window: share idle and share stolen by the hypervisor (all cores). */
  readonly machine?: { idle: number; steal: number };
}

function meanMax(values: readonly number[], digits = 1): MeanMax {
  if (values.length === 0) return { mean: 0, max: 0 };
  return {
    mean: round(values.reduce((a, b) => a + b, 0) / values.length, digits),
    max: round(Math.max(...values), digits),
  };
}

/** Figures between two readings; only nodes present in both count. */
export function windowFigures(
  before: readonly HostReading[],
  after: readonly HostReading[],
  seconds: number,
): WindowFigures {
  const perMin = 60 / seconds;
  const earlier = new Map(before.flatMap((host) => host.nodes.map((n) => [n.index, n])));
  const dht: number[] = [];
  const room: number[] = [];
  const links: number[] = [];
  const table: number[] = [];
  const beats: number[] = [];
  const beatMs: number[] = [];
  for (const host of after)
    for (const node of host.nodes) {
      const old = earlier.get(node.index);
      if (old === undefined) continue;
      dht.push((node.dhtSent + node.dhtReceived - old.dhtSent - old.dhtReceived) * perMin);
      room.push(
        (node.roomFramesSent +
          node.roomFramesReceived -
          old.roomFramesSent -
          old.roomFramesReceived) *
          perMin,
      );
      links.push(node.links);
      table.push(node.routingTable);
      beats.push((node.beatsReceived - old.beatsReceived) * perMin);
      beatMs.push(node.beatMs);
    }
  const hostsBefore = new Map(before.map((host) => [host.pid, host]));
  let frames = 0;
  let cpu = 0;
  let hostedNodes = 0;
  const byType: Record<string, number> = {};
  const loop = { p99: 0, max: 0 };
  for (const host of after) {
    const old = hostsBefore.get(host.pid);
    if (old === undefined) continue;
    frames += host.wsFramesSent - old.wsFramesSent;
    cpu += host.cpuSeconds - old.cpuSeconds;
    hostedNodes += host.nodes.length;
    for (const [type, count] of Object.entries(host.framesByType))
      byType[type] = (byType[type] ?? 0) + count - (old.framesByType[type] ?? 0);
    loop.p99 = Math.max(loop.p99, round(host.loopDelayP99Ms, 1));
    loop.max = Math.max(loop.max, round(host.loopDelayMaxMs, 1));
  }
  const nodes = Math.max(1, hostedNodes);
  for (const type of Object.keys(byType)) byType[type] = round((byType[type]! / nodes) * perMin, 1);
  return {
    seconds,
    nodes: links.length,
    links: meanMax(links),
    dhtMessagesPerNodeMin: meanMax(dht),
    meshFramesSentPerNodeMin: round((frames / nodes) * perMin, 1),
    roomFramesPerNodeMin: meanMax(room),
    beatValuesPerNodeMin: meanMax(beats),
    beatMs: meanMax(beatMs, 0),
    cpuSecondsPerNodeMin: round((cpu / nodes) * perMin, 4),
    meshFramesByTypePerNodeMin: byType,
    routingTable: meanMax(table).mean,
    hostLoopDelayMs: loop,
  };
}

/** What {@link meshDrops} counts: room messages not taken or not passed on (MeshStats). */
const DROPS = [
  'messagesRefused',
  'messagesRefusedUnknownMember',
  'messagesRefusedOffRoute',
  'framesShed',
  'framesDropped',
] as const;

/** Room messages the nodes refused, shed or dropped between two readings (all nodes together). */
export function meshDrops(
  before: readonly HostReading[],
  after: readonly HostReading[],
): Record<(typeof DROPS)[number], number> {
  const sum = (readings: readonly HostReading[], key: (typeof DROPS)[number]): number =>
    readings.flatMap((host) => host.nodes).reduce((total, node) => total + node[key], 0);
  return Object.fromEntries(
    DROPS.map((key) => [key, sum(after, key) - sum(before, key)]),
  ) as Record<(typeof DROPS)[number], number>;
}

/**
 * What the whole mesh spent between two readings, per `count` operations (rendezvous trials):
 * the sigmesh nodes' DHT datagrams (sent + received) and the queries among them by method, the
 * hosts' mesh frames and their CPU. The plain DHT nodes' work (their own process) is not in it.
 */
export function workPer(
  before: readonly HostReading[],
  after: readonly HostReading[],
  count: number,
): {
  dhtDatagrams: number;
  dhtQueriesSent: Record<string, number>;
  meshFrames: number;
  hostCpuMs: number;
} {
  const total = (readings: readonly HostReading[], of: (host: HostReading) => number): number =>
    readings.reduce((sum, host) => sum + of(host), 0);
  const dht = (host: HostReading): number =>
    host.nodes.reduce((sum, node) => sum + node.dhtSent + node.dhtReceived, 0);
  const per = (of: (host: HostReading) => number): number =>
    (total(after, of) - total(before, of)) / Math.max(1, count);
  const methods = new Set(
    after.flatMap((host) => host.nodes.flatMap((node) => Object.keys(node.dhtQueriesSent))),
  );
  const queries = (method: string) => (host: HostReading) =>
    host.nodes.reduce((sum, node) => sum + (node.dhtQueriesSent[method] ?? 0), 0);
  return {
    dhtDatagrams: round(per(dht), 1),
    dhtQueriesSent: Object.fromEntries(
      [...methods].map((method) => [method, round(per(queries(method)), 1)]),
    ),
    meshFrames: round(
      per((host) => host.wsFramesSent),
      1,
    ),
    hostCpuMs: round(per((host) => host.cpuSeconds) * 1000, 1),
  };
}

/** Reads every host, waits `seconds`, reads again. */
export async function measureWindow(
  cluster: ScaleCluster,
  seconds: number,
): Promise<WindowFigures> {
  const before = await cluster.read();
  const jiffies = cpuJiffies();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const machine = cpuShares(jiffies);
  return { ...windowFigures(before, await cluster.read(), seconds), machine };
}

/** Memory per node: (hosts' memory − their memory before any node) / nodes, after full GCs. */
export async function memoryPerNode(
  cluster: ScaleCluster,
): Promise<{ heapUsedMiB: number; rssMiB: number; externalMiB: number }> {
  const hosts = await cluster.memory();
  let nodes = 0;
  let heap = 0;
  let rss = 0;
  let external = 0;
  for (const host of hosts) {
    nodes += host.nodes;
    heap += host.memory.heapUsed - host.empty.heapUsed;
    rss += host.memory.rss - host.empty.rss;
    external += host.memory.external - host.empty.external;
  }
  const mib = (bytes: number): number => round(bytes / Math.max(1, nodes) / 2 ** 20, 2);
  return { heapUsedMiB: mib(heap), rssMiB: mib(rss), externalMiB: mib(external) };
}
