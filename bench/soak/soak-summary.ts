import { round } from '../lib/bench-report.js';
import type { DeliveryTally } from './delivery-accounting.js';
import type { LatencySummary } from './latency-histogram.js';
import { fitTrend, type Trend } from './memory-trend.js';
import type { NodeSample } from './soak-cluster.js';
import type { SoakOptions } from './soak-run.js';

/** One node in a timeline sample. */
export interface NodePoint {
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  readonly heapTotalMiB: number;
  readonly externalMiB: number;
  readonly elu: number;
  readonly cpuS: number;
  readonly members: number;
  readonly rooms: number;
  readonly messages: number;
  readonly deliveries: number;
  readonly cut: number;
  readonly links: number;
  readonly remoteMembers: number;
  readonly messagesRefused: number;
  readonly presenceRefused: number;
  readonly framesDropped: number;
  readonly connections: number;
  /** Room announces and lookups on the DHT that failed (timed out) so far. */
  readonly dhtOperationsFailed: number;
}

/** One generator in a timeline sample (counters are totals so far). */
export interface GeneratorPoint {
  readonly open: number;
  readonly elu: number;
  readonly rssMiB: number;
  readonly postsOk: number;
  readonly messagesRead: number;
  readonly joins: number;
  readonly closedByNode: number;
}

/** Every `sampleEveryS`: each node and generator, and the latency of the deliveries since the last sample. */
export interface TimelineSample {
  /** Seconds since the traffic started (since the run started, during set-up). */
  readonly at: number;
  readonly phase: string;
  readonly loadavg1: number;
  /** Shares of the machine's CPU time since the previous sample that were idle and stolen. */
  readonly machineIdle: number;
  readonly machineSteal: number;
  readonly nodes: readonly NodePoint[];
  readonly generators: readonly GeneratorPoint[];
  readonly latencyWindow: LatencySummary;
}

/** A presence checkpoint (churn paused) and the heap after a full collection. */
export interface CheckpointResult {
  readonly at: number;
  readonly label: string;
  readonly heapAfterGcMiB: readonly number[];
  /** Memory outside the V8 heap held by JS objects (Buffers and other ArrayBuffers included). */
  readonly externalAfterGcMiB: readonly number[];
  readonly rssAfterGcMiB: readonly number[];
  /** Member views compared with the truth. */
  readonly checked: number;
  /** Views that differed at the first comparison, and at the last one. */
  readonly firstMismatched: number;
  readonly mismatched: number;
  /** From the pause to agreement (null: never agreed within the timeout). */
  readonly convergedAfterMs: number | null;
  /** From the pause to the end of the checkpoint. */
  readonly durationMs: number;
  /** Views that differed at the first comparison (the kind of lag), and at the last one. */
  readonly firstExamples: readonly Record<string, unknown>[];
  readonly examples: readonly Record<string, unknown>[];
  /** When views never agreed: every node's mesh view of the rooms concerned. */
  readonly diagnosis?: readonly Record<string, unknown>[];
}

/** Everything {@link summarizeSoak} puts together. */
export interface SoakFacts {
  readonly options: SoakOptions;
  readonly members: number;
  readonly rooms: number;
  readonly setup: Record<string, number>;
  readonly timeline: readonly TimelineSample[];
  readonly checkpoints: readonly CheckpointResult[];
  readonly deliveries: DeliveryTally;
  /** All deliveries; those sent outside the checkpoints (±1 s); those sent around them. */
  readonly latency: {
    readonly all: LatencySummary;
    readonly outsideCheckpoints: LatencySummary;
    readonly aroundCheckpoints: LatencySummary;
  };
  readonly generatorCounters: readonly Record<string, unknown>[];
  readonly finalNodes: readonly NodeSample[];
  readonly cpu: {
    readonly before: Record<string, number>;
    readonly after: Record<string, number>;
    readonly seconds: number;
  };
  readonly machine: Record<string, unknown>;
}

/** Memory trends of one node after warm-up. */
export interface NodeMemoryTrend {
  readonly rss?: Trend;
  readonly heapUsed?: Trend;
  /** From the checkpoints' readings after a full collection: V8 heap used. */
  readonly heapAfterGc?: Trend;
  /**
   * The same plus external memory (Buffers): everything the node's JS keeps alive. The leak
   * detector — a Buffer kept per message shows here and not in the heap.
   */
  readonly retainedAfterGc?: Trend;
}

/**
 * The soak's result section: the options, set-up, deliveries and latency, presence checkpoints,
 * memory trends per node after warm-up (least-squares slopes in MiB/min), CPU per process over
 * the traffic phase, cuts, node log counts, and the raw timeline for the plot.
 */
export function summarizeSoak(facts: SoakFacts): Record<string, unknown> {
  const { options, timeline, checkpoints, finalNodes } = facts;
  const config = Object.fromEntries(Object.entries(options).filter(([key]) => key !== 'log'));
  const steady = timeline.filter((s) => s.phase === 'traffic' && s.at >= options.warmupS);
  const steadyCheckpoints = checkpoints.filter((c) => c.at >= options.warmupS);
  const memory: NodeMemoryTrend[] = finalNodes.map((_, i) => {
    const series = (read: (p: NodePoint) => number) =>
      fitTrend(steady.map((s) => ({ at: s.at * 1000, bytes: read(s.nodes[i]!) * 2 ** 20 })));
    const rss = series((p) => p.rssMiB);
    const heapUsed = series((p) => p.heapUsedMiB);
    const heapAfterGc = fitTrend(
      steadyCheckpoints.map((c) => ({ at: c.at * 1000, bytes: c.heapAfterGcMiB[i]! * 2 ** 20 })),
    );
    const retainedAfterGc = fitTrend(
      steadyCheckpoints.map((c) => ({
        at: c.at * 1000,
        bytes: (c.heapAfterGcMiB[i]! + c.externalAfterGcMiB[i]!) * 2 ** 20,
      })),
    );
    return {
      ...(rss === undefined ? {} : { rss }),
      ...(heapUsed === undefined ? {} : { heapUsed }),
      ...(heapAfterGc === undefined ? {} : { heapAfterGc }),
      ...(retainedAfterGc === undefined ? {} : { retainedAfterGc }),
    };
  });

  const cpuSeconds: Record<string, number> = {};
  const cpuCoreShare: Record<string, number> = {};
  for (const [name, after] of Object.entries(facts.cpu.after)) {
    const used = after - (facts.cpu.before[name] ?? 0);
    cpuSeconds[name] = round(used, 1);
    cpuCoreShare[name] = round(used / facts.cpu.seconds, 3);
  }
  const allCores = Object.values(cpuSeconds).reduce((a, b) => a + b, 0) / facts.cpu.seconds;

  const sum = (key: string): number =>
    facts.generatorCounters.reduce((total, c) => total + ((c[key] as number | undefined) ?? 0), 0);
  const nodeLogs = finalNodes.map((n) => {
    const notable: Record<string, number> = {};
    for (const [key, count] of Object.entries(n.log))
      if (!key.startsWith('info:') || count > 1) notable[key] = count;
    return notable;
  });
  const warnings = finalNodes.reduce(
    (total, n) =>
      total +
      Object.entries(n.log)
        .filter(([key]) => /^(warn|error|fatal):/.test(key))
        .reduce((s, [, c]) => s + c, 0),
    0,
  );

  return {
    method: `${options.nodes} sigmesh nodes as separate processes on a loopback DHT of ${options.dhtNodes} (default discovery and mesh timings; bench price 1, per-address caps lifted, 64 KiB member queues, heartbeats 15 s), ${options.generators} load-generator processes holding the members as raw sockets that parse every event; rooms ${options.layout}, member i of room r on node (r+i) mod ${options.nodes}. Traffic: ${options.postsPerSecond} posts/s (a room uniformly, then a sender in it; ${options.addressedShare * 100} % addressed to one member of the sender's view), churn ${options.churnPerMinute * 100} %/min (a member leaves, a new one joins the same room on a random node). Every ${options.sampleEveryS} s each node's RSS, heap, event-loop utilization and counters; every ${options.checkpointEveryS} s churn pauses, each node's heap is read after a full GC, and every member's presence view is compared with the room's truth until they agree. Loss: a post is owed to every other member of its room (an addressed post to its addressee) that joined ≥ ${options.joinGraceMs} ms before it was sent and left ≥ ${options.leaveGraceMs} ms after it was answered (or stayed).`,
    config,
    members: facts.members,
    rooms: facts.rooms,
    setup: facts.setup,
    deliveries: facts.deliveries,
    latencyMs: facts.latency,
    presence: {
      checkpoints: checkpoints.length,
      viewsCheckedLast: checkpoints.at(-1)?.checked ?? 0,
      mismatchedAfterConvergence: checkpoints.reduce((total, c) => total + c.mismatched, 0),
      maxFirstMismatched: Math.max(0, ...checkpoints.map((c) => c.firstMismatched)),
      maxConvergedAfterMs: Math.max(0, ...checkpoints.map((c) => c.convergedAfterMs ?? Infinity)),
      resyncEvents: facts.generatorCounters.reduce(
        (total, c) => total + ((c.events as Record<string, number> | undefined)?.resync ?? 0),
        0,
      ),
    },
    churn: {
      leaves: sum('churnLeaves'),
      joinsDuringTraffic: sum('joins') - facts.members,
      joinFailures: facts.generatorCounters.map((c) => c.joinFailures),
    },
    cuts: {
      slowConsumersCutByNodes: finalNodes.reduce((total, n) => total + n.rooms.slowConsumersCut, 0),
      streamsClosedByNodes: sum('closedByNode'),
      postsSkipped: sum('postsSkipped'),
      foreignMessages: sum('foreignMessages'),
    },
    memoryTrend: memory,
    memoryFinalMiB: finalNodes.map((n) => ({
      rss: round(n.memory.rss / 2 ** 20, 1),
      heapUsed: round(n.memory.heapUsed / 2 ** 20, 1),
    })),
    cpu: {
      trafficSeconds: round(facts.cpu.seconds, 1),
      seconds: cpuSeconds,
      coreShare: cpuCoreShare,
      coresUsedBySoak: round(allCores, 2),
    },
    mesh: finalNodes.map((n) => n.mesh),
    nodeWarnings: warnings,
    nodeLogs,
    nodeLogExamples: finalNodes.map((n) => n.logExamples),
    firstWarnings: finalNodes.map((n) => n.firstWarnings.slice(0, 5)),
    checkpoints,
    timeline,
    machine: facts.machine,
  };
}
