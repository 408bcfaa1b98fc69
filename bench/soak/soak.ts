// The soak of issue 11: N sigmesh nodes as processes, load generators holding the members, steady
// posts and churn for a fixed time; deliveries reconciled, presence checked, memory sampled.
// Writes its section into bench/results/soak-<yyyy-mm-dd>.json and prints the headline figures;
// bench/soak/plot-memory.ts draws the memory curve from that file. See docs/performance.md § Soak.
//
//   nice -n 5 node --conditions=source --import tsx bench/soak/soak.ts            # the full soak
//   node --conditions=source --import tsx bench/soak/soak.ts --layout 1x60,20x12 --nodes 3 \
//     --duration-s 60 --warmup-s 20 --posts-per-second 30 --name short            # a short one
import type { NodeOptions } from '@sigmesh/node';
import { argument, requireFds, saveResults } from '../lib/bench-report.js';
import { stopAllChildren } from '../lib/child-process.js';
import { fullSoakDefaults, runSoak, type SoakOptions } from './soak-run.js';
import { layoutMembers, parseRoomLayout } from './soak-plan.js';

const number = (name: string, fallback: number): number => {
  const value = Number(argument(name, String(fallback)));
  if (!Number.isFinite(value)) throw new Error(`--${name} must be a number`);
  return value;
};
const d = fullSoakDefaults;
const options: SoakOptions = {
  nodes: number('nodes', d.nodes),
  generators: number('generators', d.generators),
  layout: argument('layout', d.layout),
  durationS: number('duration-s', d.durationS),
  warmupS: number('warmup-s', d.warmupS),
  postsPerSecond: number('posts-per-second', d.postsPerSecond),
  addressedShare: number('addressed-share', d.addressedShare),
  churnPerMinute: number('churn-per-minute', d.churnPerMinute),
  sampleEveryS: number('sample-every-s', d.sampleEveryS),
  checkpointEveryS: number('checkpoint-every-s', d.checkpointEveryS),
  convergeTimeoutMs: number('converge-timeout-ms', d.convergeTimeoutMs),
  joinGraceMs: number('join-grace-ms', d.joinGraceMs),
  leaveGraceMs: number('leave-grace-ms', d.leaveGraceMs),
  dhtNodes: number('dht-nodes', d.dhtNodes),
  joinConcurrency: number('join-concurrency', d.joinConcurrency),
  seed: number('seed', d.seed),
  // More node options as JSON, e.g. --node-options '{"meshDedupeSize":100000}'.
  nodeOptions: JSON.parse(argument('node-options', '{}')) as NodeOptions,
  ...(argument('heap-snapshot-dir', '') === ''
    ? {}
    : { heapSnapshotDir: argument('heap-snapshot-dir', '') }),
};
const name = argument('name', 'soak');

// Each node holds its share of the members plus churn's overlap; each generator its share.
const members = layoutMembers(parseRoomLayout(options.layout));
requireFds(Math.ceil((members * 1.2) / Math.min(options.nodes, options.generators)) + 500);

try {
  const section = await runSoak(options);
  const file = saveResults(name, section, 'soak');
  const s = section as {
    deliveries: {
      expected: number;
      delivered: number;
      lost: number;
      lostToMembersThatStayed: number;
    };
    latencyMs: Record<'all' | 'outsideCheckpoints', { p50: number; p95: number; p99: number }>;
    presence: { mismatchedAfterConvergence: number };
    memoryTrend: {
      retainedAfterGc?: { slopeMiBPerMin: number };
      rss?: { slopeMiBPerMin: number };
    }[];
    cuts: { slowConsumersCutByNodes: number };
    cpu: { coresUsedBySoak: number };
  };
  process.stdout.write(
    [
      `deliveries: ${s.deliveries.delivered}/${s.deliveries.expected} owed, lost ${s.deliveries.lost} (to members that stayed: ${s.deliveries.lostToMembersThatStayed})`,
      `latency: p50 ${s.latencyMs.all.p50} ms, p95 ${s.latencyMs.all.p95} ms, p99 ${s.latencyMs.all.p99} ms (outside checkpoints: p50 ${s.latencyMs.outsideCheckpoints.p50}, p95 ${s.latencyMs.outsideCheckpoints.p95}, p99 ${s.latencyMs.outsideCheckpoints.p99})`,
      `presence mismatches after convergence: ${s.presence.mismatchedAfterConvergence}`,
      `memory slope after warm-up (MiB/min): RSS ${s.memoryTrend.map((t) => t.rss?.slopeMiBPerMin ?? '?').join(' / ')}; heap + external after GC ${s.memoryTrend.map((t) => t.retainedAfterGc?.slopeMiBPerMin ?? '?').join(' / ')}`,
      `slow consumers cut: ${s.cuts.slowConsumersCutByNodes}; cores used by the soak: ${s.cpu.coresUsedBySoak}`,
      `results → ${file} (section "${name}")`,
    ].join('\n') + '\n',
  );
} finally {
  stopAllChildren();
}
process.exit(0);
