// Summarizes bench/mesh/relay-ab.sh: node B's CPU per relayed message (one-hop rounds) in this
// tree and in the baseline tree, over every round of every pair, and their ratio.
//
//   node --conditions=source --import tsx bench/mesh/relay-ab-summary.ts BASELINE_DIR PAIRS
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, round, saveResults } from '../lib/bench-report.js';

interface Round {
  readonly kind: 'single' | 'cross';
  readonly cpuMicrosPerMessage: { nodeA: number; nodeB: number };
  readonly deliveredPerSecond: number;
}
type Results = Record<string, { throughput?: { rounds: Round[] }; source?: unknown }>;

const [baseDir = '', pairsText = '3'] = process.argv.slice(2);
const date = new Date().toISOString().slice(0, 10);
const load = (dir: string): Results =>
  JSON.parse(readFileSync(join(dir, 'bench/results', `mesh-${date}.json`), 'utf8')) as Results;
const thisTree = load(join(import.meta.dirname, '../..'));
const baseTree = load(baseDir);
const pairs = Number(pairsText);

const collect = (results: Results, tree: string) => {
  const rounds = Array.from({ length: pairs }, (_, i) => results[`relay-ab-${tree}-${i + 1}`])
    .flatMap((run) => run?.throughput?.rounds ?? [])
    .filter((r) => r.kind === 'cross');
  return {
    rounds: rounds.length,
    nodeBMicrosPerMessage: median(rounds.map((r) => r.cpuMicrosPerMessage.nodeB)),
    nodeAMicrosPerMessage: median(rounds.map((r) => r.cpuMicrosPerMessage.nodeA)),
    deliveredPerSecond: median(rounds.map((r) => r.deliveredPerSecond)),
    nodeBPerRound: rounds.map((r) => r.cpuMicrosPerMessage.nodeB),
    nodeAPerRound: rounds.map((r) => r.cpuMicrosPerMessage.nodeA),
    source: results[`relay-ab-${tree}-1`]?.source,
  };
};
const base = collect(baseTree, 'base');
const mine = collect(thisTree, 'this');
const section = {
  method: `bench/mesh/relay-ab.sh: mesh-relay.ts --skip-latency --rounds 4 --seconds 3 in each tree in turn, ${pairs} pairs; one-hop rounds (publisher on node A, one listener on node B); CPU µs per delivered message from /proc of each node process; medians over every one-hop round`,
  baseline: base,
  thisTree: mine,
  nodeBRatio: round(mine.nodeBMicrosPerMessage / base.nodeBMicrosPerMessage, 3),
  nodeARatio: round(mine.nodeAMicrosPerMessage / base.nodeAMicrosPerMessage, 3),
};
process.stdout.write(`${JSON.stringify(section, null, 2)}\n`);
process.stdout.write(`results → ${saveResults('relay-ab', section, 'mesh-relay-ab')}\n`);
