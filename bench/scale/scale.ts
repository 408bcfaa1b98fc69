// The scale bench (issue 15): per-node cost of the mesh as the network grows. For each size N it
// starts a loopback DHT child and host children with N real sigmesh nodes between them, and
// measures links, DHT and mesh traffic, CPU and memory per node, delivery in many small rooms and
// one popular room, rendezvous on random nodes and, with --churn-percent, delivery while nodes
// are replaced. Results → bench/results/scale-<date>.json; plots: bench/scale/plot-scale.ts.
//
//   node --conditions=source --import tsx bench/scale/scale.ts            # 25,50,100,200
//   node --conditions=source --import tsx bench/scale/scale.ts --sizes 100,200,400,800 \
//     --nodes-per-host 100 --churn-percent 10 --churn-at 400               # the large setting
//   … --room-beats-per-second N   (every node's --mesh-room-beats-per-second: beat pacing)
//   … --rendezvous-trials 40 --rendezvous-concurrency 1   (trials one at a time; default 10, 5)
//
// Run inside `unshare -n` (loopback only), as every bench here. docs/scaling.md has the figures.
import { argument, saveResults, sourceVersion } from '../lib/bench-report.js';
import { stopAllChildren } from '../lib/child-process.js';
import { runScale, type ScaleOptions, type ScaleResult } from './scale-run.js';

const sizes = argument('sizes', '25,50,100,200').split(',').map(Number);
const name = argument('name', 'scale');
const churnPercent = Number(argument('churn-percent', '0'));
const churnAt = Number(argument('churn-at', String(Math.max(...sizes))));
const base: Omit<ScaleOptions, 'nodes'> = {
  nodesPerHost: Number(argument('nodes-per-host', '50')),
  timeScale: timeScaleArgument(argument('time-scale', '10')),
  settleS: Number(argument('settle-s', '15')),
  windowS: Number(argument('window-s', '30')),
  smallRoomsPerNode: Number(argument('small-rooms-per-node', '0.5')),
  popularShare: Number(argument('popular-share', '0.5')),
  posts: Number(argument('posts', '5')),
  rendezvousTrials: Number(argument('rendezvous-trials', '10')),
  rendezvousConcurrency: Number(argument('rendezvous-concurrency', '5')),
  convergeWaitMs: Number(argument('converge-wait-ms', '60000')),
  idleOnly: process.argv.includes('--idle-only'),
  ...(process.argv.includes('--room-beats-per-second')
    ? { roomBeatsPerSecond: Number(argument('room-beats-per-second', '100')) }
    : {}),
};

function timeScaleArgument(text: string): number | 'testnet' {
  if (text === 'testnet') return text;
  const value = Number(text);
  if (!(value >= 1)) throw new Error('--time-scale is a number ≥ 1 or "testnet"');
  return value;
}

const results: ScaleResult[] = [];
try {
  for (const nodes of sizes) {
    const churn =
      churnPercent > 0 && nodes === churnAt
        ? {
            percentPerMinute: churnPercent,
            minutes: Number(argument('churn-minutes', '2')),
            poolNodes: Math.round(nodes * Number(argument('churn-pool-share', '0.3'))),
            hostNodes: Number(argument('churn-host-nodes', '2')),
            postEveryMs: 500,
            healMs: Number(argument('churn-heal-ms', '15000')),
          }
        : undefined;
    results.push(await runScale({ ...base, nodes, ...(churn === undefined ? {} : { churn }) }));
    // Saved after every size: a later size that fails (or is stopped) keeps the earlier ones.
    save();
  }
} finally {
  stopAllChildren();
}

function save(): string {
  return saveResults(
    name,
    {
      method:
        'N sigmesh nodes (startNode, bench options: price 1, caps lifted) in host child processes of --nodes-per-host nodes each, on a loopback bittorrent-dht of max(20, N/4) plain nodes in its own child (bench/mesh/dht-child.ts), each node bootstrapping from 3 random DHT nodes; discovery timings: ' +
        (base.timeScale === 'testnet'
          ? 'testnetDiscoveryLimits'
          : `the node defaults with every period and age divided by ${base.timeScale} (timeouts kept): a window of W s shows W × ${base.timeScale} s of the default schedule`) +
        `; settle ${base.settleS} s, then windows of ${base.windowS} s: idle (no rooms) and with rooms held (nobody posting); DHT messages = KRPC datagrams sent + received per node (dhtStatus); mesh frames = WebSocket frames the hosts sent / nodes; CPU = host processes' CPU / nodes; memory = (host memory − host before any node) / nodes after full GCs; small rooms: N × ${base.smallRoomsPerNode} rooms on 2–5 random nodes, popular room on ${base.popularShare} of the nodes, one SSE member per node from the bench process; each room's first member probes every 500 ms until all members heard it (≤ ${base.convergeWaitMs} ms), then posts ${base.posts} timed messages; rendezvous: two members join a fresh room at once on two random nodes, time from the later welcome to the first message (${base.rendezvousConcurrency} trials at a time), with the machine's idle CPU share over the trials`,
      source: sourceVersion(),
      options: base,
      sizes: results,
    },
    'scale',
  );
}
process.stdout.write(`results → ${save()}\n`);
