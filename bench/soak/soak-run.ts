import { loadavg } from 'node:os';
import type { NodeOptions } from '@sigmesh/node';
import { deriveRoomHash } from '@sigmesh/protocol';
import { cpuJiffies, cpuShares, machine, round } from '../lib/bench-report.js';
import { tallyDeliveries, type MemberRecord, type PostRecord } from './delivery-accounting.js';
import { LatencyHistogram, type SerializedHistogram } from './latency-histogram.js';
import { summarizeSoak, type CheckpointResult, type TimelineSample } from './soak-summary.js';
import { startSoakCluster } from './soak-cluster.js';
import { layoutMembers, parseRoomLayout, planSoak } from './soak-plan.js';
import { nowMs } from './soak-member.js';
import { describe, processCpu, startSampler, takeSample } from './soak-sampling.js';
import { checkpoint, drain, pauseChurn, snapshot } from './soak-checkpoints.js';

/** What a soak does; the CLI (bench/soak/soak.ts) and the CI test set these. */
export interface SoakOptions {
  /** Node processes. */
  readonly nodes: number;
  /** Load generator processes (members are dealt to them in turn). */
  readonly generators: number;
  /** Rooms: `COUNTxSIZE,…` (see parseRoomLayout); the members add up from it. */
  readonly layout: string;
  /** Length of the traffic phase, after set-up. */
  readonly durationS: number;
  /** Start of the traffic phase left out of the memory trend (JIT, pools, caches filling). */
  readonly warmupS: number;
  /** Posts per second over all generators (rooms picked uniformly, then a sender in the room). */
  readonly postsPerSecond: number;
  /** Share of posts addressed to one member of the sender's view (the rest are broadcasts). */
  readonly addressedShare: number;
  /** Fraction of the members replaced per minute (a leave, then a join in the same room). */
  readonly churnPerMinute: number;
  readonly sampleEveryS: number;
  /** Presence check (churn paused) and a heap reading after a full collection this often. */
  readonly checkpointEveryS: number;
  /** Longest wait for presence to converge at a checkpoint. */
  readonly convergeTimeoutMs: number;
  readonly joinGraceMs: number;
  readonly leaveGraceMs: number;
  readonly dhtNodes: number;
  readonly joinConcurrency: number;
  readonly seed: number;
  readonly nodeOptions?: NodeOptions;
  /**
   * When set, node 0 writes a heap snapshot here at the first checkpoint after warm-up and at the
   * last one (compare them by constructor to see what grew). Each pauses that node for seconds.
   */
  readonly heapSnapshotDir?: string;
  readonly log?: (line: string) => void;
}

/** The defaults of the full soak (issue 11): 10,000 members, 10 minutes. */
export const fullSoakDefaults: Omit<SoakOptions, 'log' | 'nodeOptions'> = {
  nodes: 4,
  generators: 4,
  layout: '1x1000,20x100,500x14',
  durationS: 600,
  warmupS: 120,
  postsPerSecond: 100,
  addressedShare: 0.2,
  churnPerMinute: 0.05,
  sampleEveryS: 10,
  checkpointEveryS: 60,
  convergeTimeoutMs: 20_000,
  joinGraceMs: 1_000,
  leaveGraceMs: 5_000,
  dhtNodes: 20,
  joinConcurrency: 16,
  seed: 11,
};

/** Runs one soak and returns its summary (the JSON section of bench/results/soak-<date>.json). */
export async function runSoak(options: SoakOptions): Promise<Record<string, unknown>> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const groups = parseRoomLayout(options.layout);
  const members = layoutMembers(groups);
  const runId = `${Date.now().toString(36)}-${options.seed}`;
  const started = nowMs();
  const loadBefore = loadavg();
  log(
    `soak: ${members} members in ${groups.map((g) => `${g.count}×${g.size}`).join(' + ')} rooms, ${options.nodes} nodes, ${options.generators} generators, ${options.durationS} s`,
  );

  const cluster = await startSoakCluster({
    nodes: options.nodes,
    dhtNodes: options.dhtNodes,
    generators: options.generators,
    ...(options.nodeOptions === undefined ? {} : { nodeOptions: options.nodeOptions }),
  });
  const timeline: TimelineSample[] = [];
  const checkpoints: CheckpointResult[] = [];
  let trafficStart = Number.NaN;
  const since = (): number =>
    round((nowMs() - (Number.isNaN(trafficStart) ? started : trafficStart)) / 1000, 1);
  const phase = (): string => (Number.isNaN(trafficStart) ? 'setup' : 'traffic');
  try {
    const ports = cluster.nodes.map((node) => node.port);
    await Promise.all(
      cluster.generators.map((generator, i) =>
        generator.call({
          type: 'init',
          setup: {
            generator: i,
            ports,
            lanesPerNode: 4,
            tokenConnectionsPerNode: 4,
            joinTimeoutMs: 30_000,
            seed: options.seed * 1000 + i,
          },
        }),
      ),
    );

    // ── set-up: every member joins ──────────────────────────────────────────────────────────
    const plan = planSoak(groups, {
      nodes: options.nodes,
      generators: options.generators,
      seed: options.seed,
    });
    const rooms = plan.roomSizes.map((_, i) => deriveRoomHash('sigmesh-soak', `${runId}:${i}`));
    const sampler = startSampler(options.sampleEveryS * 1000, async () => {
      const sample = await takeSample(cluster, nowMs(), phase());
      timeline.push(sample);
      log(describe(sample, since()));
    });
    const setupStarted = nowMs();
    const opened = await Promise.all(
      cluster.generators.map((generator, i) =>
        generator.call<{ opened: number; failed: number }>(
          {
            type: 'open',
            members: plan.byGenerator[i]!.map((m) => ({
              room: rooms[m.room]!,
              roomIndex: m.room,
              node: m.node,
            })),
            concurrency: options.joinConcurrency,
          },
          3_600_000,
        ),
      ),
    );
    const setup = {
      membersPlanned: members,
      membersOpened: opened.reduce((sum, o) => sum + o.opened, 0),
      joinFailures: opened.reduce((sum, o) => sum + o.failed, 0),
      seconds: round((nowMs() - setupStarted) / 1000, 1),
      meshFullAfterS: 0,
    };
    log(
      `set-up: ${setup.membersOpened}/${members} members open in ${setup.seconds} s (${setup.joinFailures} failed)`,
    );
    const meshWait = nowMs();
    await until(
      async () => {
        const links = await Promise.all(
          cluster.nodes.map(async (node) => (await node.sample()).mesh.links ?? 0),
        );
        return links.every((n) => n >= options.nodes - 1);
      },
      120_000,
      'every node linked to every other',
    );
    setup.meshFullAfterS = round((nowMs() - meshWait) / 1000, 1);
    checkpoints.push(await checkpoint(cluster, options, 'after set-up', log, since));

    // ── traffic and churn ───────────────────────────────────────────────────────────────────
    const jiffies = cpuJiffies();
    const cpuBefore = await processCpu(cluster);
    trafficStart = nowMs();
    await Promise.all(
      cluster.generators.map((generator) =>
        generator.call({
          type: 'traffic',
          traffic: {
            postsPerSecond: options.postsPerSecond / options.generators,
            addressedShare: options.addressedShare,
            churnPerMinute: options.churnPerMinute,
          },
        }),
      ),
    );
    const end = trafficStart + options.durationS * 1000;
    let nextCheckpoint = trafficStart + options.checkpointEveryS * 1000;
    let snapshotTaken = false;
    while (nowMs() < end) {
      await sleep(Math.min(1000, Math.max(0, end - nowMs())));
      if (nowMs() >= nextCheckpoint && nowMs() < end - 5_000) {
        await pauseChurn(cluster, true);
        checkpoints.push(await checkpoint(cluster, options, 'during traffic', log, since));
        if (options.heapSnapshotDir !== undefined && !snapshotTaken && since() >= options.warmupS) {
          snapshotTaken = true;
          await snapshot(
            cluster,
            options.heapSnapshotDir,
            `after-warmup-${Math.round(since())}s`,
            log,
          );
        }
        await pauseChurn(cluster, false);
        nextCheckpoint += options.checkpointEveryS * 1000;
      }
    }
    await Promise.all(
      cluster.generators.map((generator) => generator.call({ type: 'stopTraffic' }, 120_000)),
    );
    const trafficSeconds = (nowMs() - trafficStart) / 1000;
    const cpuAfter = await processCpu(cluster);
    const machineShares = cpuShares(jiffies);
    await drain(cluster);
    sampler.stop();
    await sampler.idle();
    checkpoints.push(await checkpoint(cluster, options, 'after traffic', log, since));
    if (options.heapSnapshotDir !== undefined)
      await snapshot(cluster, options.heapSnapshotDir, `end-${Math.round(since())}s`, log);
    const finalNodes = await Promise.all(
      cluster.nodes.map((node) => node.sample({ examples: true })),
    );

    // ── the tally ───────────────────────────────────────────────────────────────────────────
    // Posts sent from 1 s before a checkpoint to 1 s after it may wait for its forced full GCs.
    const windows = checkpoints.map((c) => [c.at - 1000, c.at + c.durationMs + 1000]);
    const reports = await Promise.all(
      cluster.generators.map((generator) =>
        generator.call<{
          posts: PostRecord[];
          members: MemberRecord[];
          latency: { steady: SerializedHistogram; checkpoints: SerializedHistogram };
          counters: Record<string, unknown>;
        }>({ type: 'report', checkpoints: windows }, 300_000),
      ),
    );
    const deliveries = tallyDeliveries(
      reports.flatMap((r) => r.posts),
      reports.flatMap((r) => r.members),
      { joinGraceMs: options.joinGraceMs, leaveGraceMs: options.leaveGraceMs },
    );
    const latency = new LatencyHistogram();
    const steady = new LatencyHistogram();
    const duringCheckpoints = new LatencyHistogram();
    for (const report of reports) {
      steady.merge(report.latency.steady);
      duringCheckpoints.merge(report.latency.checkpoints);
      latency.merge(report.latency.steady);
      latency.merge(report.latency.checkpoints);
    }

    // Samples were stamped with the monotonic clock: seconds since the traffic started (set-up < 0).
    const rebased = timeline.map((sample) => ({
      ...sample,
      at: round((sample.at - trafficStart) / 1000, 1),
    }));
    return summarizeSoak({
      options,
      members,
      rooms: rooms.length,
      setup,
      timeline: rebased,
      checkpoints: checkpoints.map((c) => ({ ...c, at: round((c.at - trafficStart) / 1000, 1) })),
      deliveries,
      latency: {
        all: latency.summary(),
        outsideCheckpoints: steady.summary(),
        aroundCheckpoints: duringCheckpoints.summary(),
      },
      generatorCounters: reports.map((r) => r.counters),
      finalNodes,
      cpu: { before: cpuBefore, after: cpuAfter, seconds: trafficSeconds },
      machine: {
        ...machine(),
        loadavgBefore: loadBefore.map((v) => round(v, 2)),
        loadavgAfter: loadavg().map((v) => round(v, 2)),
        duringTraffic: machineShares,
      },
    });
  } finally {
    await Promise.all(
      cluster.generators.map((generator) =>
        generator.call({ type: 'close' }).catch(() => undefined),
      ),
    );
    await cluster.stop();
  }
}

async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = nowMs() + ms;
  while (!(await check())) {
    if (nowMs() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
