// How soon two Trystero pages (unchanged; by default the torrent strategy, npm
// `@trystero-p2p/torrent`) meet through two nodes when they do not join at the same moment: for
// each trial a fresh 3-node testnet, page A joins on node 1, page B on node 2 a seeded random
// min-delay–max-delay ms later, and a page with the same room but another password (same swarm,
// never connects) on node 3 at a random moment 0–max-delay ms after A. The figure is the time from
// B's join to both pages seeing each other; a pair not met within --timeout-ms counts as missed.
// The torrent strategy re-announces 0.2, 0.5 and 1.3 s after joining, then at the tracker's
// interval (120 s once the swarm has company), so a lost first exchange shows here as a long wait
// or a miss. With --one-node, B joins on node 1 as well. --strategy nostr or ws-relay measures
// Trystero's topic strategies through the nodes' /nostr and /ws-relay instead (npm `trystero`,
// and ws-relay from Trystero's source: e2e/dialects/vendor/), their nodes' load reading zero as
// in their e2e tests (e2e/dialects/trystero-pages.ts).
//
//   unshare -n sh -c 'ip link set lo up && node --conditions=source --import tsx \
//     bench/tracker/trystero-meet.ts [--trials 16] [--min-delay-ms 0] [--max-delay-ms 3000] \
//     [--timeout-ms 25000] [--seed 1] [--one-node] [--strategy torrent] [--name SECTION]'
import { createTestnet, type SigmeshNode } from '@sigmesh/node';
import { pino } from 'pino';
import { seededRandom } from '../../packages/node/test/helpers/seeded-random.js';
import {
  joinTrysteroRoom,
  openTrysteroPage,
  trysteroLog,
  zeroLoad,
  type Strategy,
} from '../../e2e/dialects/trystero-pages.js';
import { launchChromium } from '../client/chromium.js';
import { argument, median, round, saveResults } from '../lib/bench-report.js';

const trials = Number(argument('trials', '16'));
const minDelayMs = Number(argument('min-delay-ms', '0'));
const maxDelayMs = Number(argument('max-delay-ms', '3000'));
const timeoutMs = Number(argument('timeout-ms', '25000'));
const seed = Number(argument('seed', '1'));
const sectionName = argument('name', 'trysteroMeet');
const oneNode = process.argv.includes('--one-node');
const strategy = argument('strategy', 'torrent') as Strategy;
const paths: Record<Strategy, string> = {
  torrent: '/announce',
  nostr: '/nostr',
  'ws-relay': '/ws-relay',
};
if (!(strategy in paths)) throw new Error(`--strategy: one of ${Object.keys(paths).join(', ')}`);
const random = seededRandom(seed);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const relayUrl = (node: SigmeshNode): string =>
  `${node.url().replace(/^http/, 'ws')}${paths[strategy]}`;

interface Trial {
  readonly delayB: number;
  readonly delayWrong: number;
  /** Whether A's peer_id is the smaller (Trystero answers the smaller one's offer). */
  readonly aSmaller: boolean;
  /** From B's join to both pages seeing each other; undefined when missed. */
  readonly meetMs: number | undefined;
}

const browser = await launchChromium();
const results: Trial[] = [];
for (let i = 0; i < trials; i++) {
  const delayB = Math.round(minDelayMs + random() * (maxDelayMs - minDelayMs));
  const delayWrong = Math.round(random() * maxDelayMs);
  const net = await createTestnet({
    nodes: 3,
    nodeOptions: {
      logger: pino({ level: 'error' }),
      powBaseDifficulty: 16,
      ...(strategy === 'torrent' ? {} : { load: zeroLoad }),
    },
  });
  const [n1, n2, n3] = net.nodes as [SigmeshNode, SigmeshNode, SigmeshNode];
  await Promise.all([n1.connect(n2.url()), n1.connect(n3.url()), n2.connect(n3.url())]);
  const pages = await Promise.all(
    [n1, n2, n3].map((node) => openTrysteroPage(browser, node.url(), strategy)),
  );
  const room = { appId: 'sigmesh-bench-meet', roomId: `trial ${i}`, password: 'shared' };
  const started = performance.now();
  let bJoinedAt = 0;
  const [aId, bId] = await Promise.all([
    joinTrysteroRoom(pages[0]!.page, { ...room, relayUrls: [relayUrl(n1)] }),
    sleep(delayB).then(async () => {
      const node = oneNode ? n1 : n2;
      const id = await joinTrysteroRoom(pages[1]!.page, {
        ...room,
        relayUrls: [relayUrl(node)],
      });
      bJoinedAt = performance.now();
      return id;
    }),
    sleep(delayWrong).then(() =>
      joinTrysteroRoom(pages[2]!.page, {
        ...room,
        password: 'another',
        relayUrls: [relayUrl(n3)],
      }),
    ),
  ]);
  let meetMs: number | undefined;
  while (performance.now() - started < timeoutMs + maxDelayMs) {
    const [a, b] = await Promise.all([trysteroLog(pages[0]!.page), trysteroLog(pages[1]!.page)]);
    if (a.joined.includes(bId) && b.joined.includes(aId)) {
      meetMs = Math.round(performance.now() - bJoinedAt);
      break;
    }
    if (bJoinedAt > 0 && performance.now() - bJoinedAt > timeoutMs) break;
    await sleep(50);
  }
  results.push({ delayB, delayWrong, aSmaller: aId < bId, meetMs });
  console.log(
    `trial ${i}: ${meetMs === undefined ? 'missed' : `met ${meetMs} ms`} after B's join ` +
      `(B +${delayB} ms, wrong password +${delayWrong} ms, A ${aId < bId ? '<' : '>'} B)`,
  );
  await Promise.all(pages.map(({ page }) => page.context().close()));
  await net.close();
}
await browser.close();

const met = results.flatMap((trial) => (trial.meetMs === undefined ? [] : [trial.meetMs]));
const sorted = [...met].sort((x, y) => x - y);
const summary = {
  trials,
  strategy,
  oneNode,
  minDelayMs,
  maxDelayMs,
  timeoutMs,
  seed,
  missed: trials - met.length,
  over5s: met.filter((ms) => ms > 5_000).length,
  medianMs: met.length === 0 ? null : round(median(met), 0),
  p90Ms:
    sorted.length === 0
      ? null
      : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))],
  maxMs: sorted.at(-1) ?? null,
  trialsDetail: results,
};
console.log(JSON.stringify({ ...summary, trialsDetail: undefined }));
console.log(`saved to ${saveResults(sectionName, summary, 'tracker')}`);
