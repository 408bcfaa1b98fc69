// How soon a Trystero room of several pages (unchanged, the torrent strategy: npm
// `@trystero-p2p/torrent`) becomes the full mesh Trystero wants, through three nodes. For each
// trial a fresh 3-node testnet; --pages pages join one after another, a seeded random
// min-gap–max-gap ms apart, page i on node (i mod 3) + 1. Measured: for each pair, the time from
// the later page's join to both seeing each other (missed past --timeout-ms), and for the trial
// the time from the last join to the full mesh. With --last-gap-ms the last page joins that long
// after the one before it: a page joining a room that has settled.
//
// Trystero answers an offer only from a peer with a smaller peer_id while it has offers of its own
// out (it always has, once it announced), and a page re-announces 0.2, 0.5 and 1.3 s after joining,
// then at the tracker's interval. So a pair whose smaller page joined first meets only when that
// page's offer reaches the later one: where a tracker sends each offer decides how long a room
// takes to fill.
//
// With --silent N, N more tracker peers (silent-members.ts) join the swarm right after the first
// page, spread over the three nodes, with peer_ids larger than any page's, and never answer an
// offer: stuck or hostile members a room's pages should still meet each other beside.
//
//   unshare -n sh -c 'ip link set lo up && node --conditions=source --import tsx \
//     bench/tracker/trystero-swarm.ts [--trials 4] [--pages 6] [--min-gap-ms 500] \
//     [--max-gap-ms 2000] [--last-gap-ms 0] [--timeout-ms 60000] [--seed 1] [--silent 0] \
//     [--name SECTION]'
import { createTestnet, type SigmeshNode } from '@sigmesh/node';
import { pino } from 'pino';
import { seededRandom } from '../../packages/node/test/helpers/seeded-random.js';
import {
  joinTrysteroRoom,
  openTrysteroPage,
  trysteroLog,
} from '../../e2e/dialects/trystero-pages.js';
import { launchChromium } from '../client/chromium.js';
import { argument, median, round, saveResults } from '../lib/bench-report.js';
import { firstInfoHash, openSilentMembers, type SilentMembers } from './silent-members.js';

const trials = Number(argument('trials', '4'));
const pageCount = Number(argument('pages', '6'));
const minGapMs = Number(argument('min-gap-ms', '500'));
const maxGapMs = Number(argument('max-gap-ms', '2000'));
const timeoutMs = Number(argument('timeout-ms', '60000'));
const seed = Number(argument('seed', '1'));
/** The last page's gap instead of a random one: a page joining a room that has settled. */
const lastGapMs = Number(argument('last-gap-ms', '0'));
const silentCount = Number(argument('silent', '0'));
const sectionName = argument('name', 'trysteroSwarm');
const random = seededRandom(seed);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Pair {
  /** Whether the page that joined first has the smaller peer_id (then its offer must reach the other). */
  readonly earlierSmaller: boolean;
  /** From the later page's join to both seeing each other; undefined when missed. */
  readonly meetMs: number | undefined;
}

interface Trial {
  readonly gaps: number[];
  readonly pairs: Pair[];
  /** From the last join to every pair met; undefined when a pair was missed. */
  readonly fullMeshMs: number | undefined;
  /** The three nodes' tracker events (`sigmesh_dialect_events_total`), summed. */
  readonly events: Record<string, number>;
  /** Offers the silent members were sent (with --silent). */
  readonly offersAtSilent: number;
}

/** The nodes' tracker event counters from `/metrics`, summed. */
async function trackerEvents(nodes: readonly SigmeshNode[]): Promise<Record<string, number>> {
  const events: Record<string, number> = {};
  for (const node of nodes) {
    const text = await (await fetch(`${node.url()}/metrics`)).text();
    for (const match of text.matchAll(
      /^sigmesh_dialect_events_total\{dialect="tracker",event="(\w+)"\} (\d+)/gm,
    ))
      events[match[1]!] = (events[match[1]!] ?? 0) + Number(match[2]);
  }
  return events;
}

/** Every pair of pages by join order, the earlier first. */
const pagePairs: Array<readonly [number, number]> = [];
for (let a = 0; a < pageCount; a++) for (let b = a + 1; b < pageCount; b++) pagePairs.push([a, b]);

const browser = await launchChromium();
const results: Trial[] = [];
for (let trial = 0; trial < trials; trial++) {
  const gaps = Array.from({ length: pageCount - 1 }, () =>
    Math.round(minGapMs + random() * (maxGapMs - minGapMs)),
  );
  if (lastGapMs > 0) gaps[gaps.length - 1] = lastGapMs;
  const net = await createTestnet({
    nodes: 3,
    nodeOptions: { logger: pino({ level: 'error' }), powBaseDifficulty: 16 },
  });
  const nodes = net.nodes as [SigmeshNode, SigmeshNode, SigmeshNode];
  await Promise.all([
    nodes[0].connect(nodes[1].url()),
    nodes[0].connect(nodes[2].url()),
    nodes[1].connect(nodes[2].url()),
  ]);
  const pages = await Promise.all(
    Array.from({ length: pageCount }, (_, i) =>
      openTrysteroPage(browser, nodes[i % 3]!.url(), 'torrent'),
    ),
  );
  const room = { appId: 'sigmesh-bench-swarm', roomId: `trial ${trial}`, password: 'shared' };
  const ids: string[] = [];
  const trackerUrls = nodes.map((node) => `${node.url().replace(/^http/, 'ws')}/announce`);
  const swarm = firstInfoHash(pages[0]!.page);
  let silent: SilentMembers | undefined;
  for (let i = 0; i < pageCount; i++) {
    if (i > 0) await sleep(gaps[i - 1]!);
    ids.push(await joinTrysteroRoom(pages[i]!.page, { ...room, relayUrls: [trackerUrls[i % 3]!] }));
    if (i === 0 && silentCount > 0)
      silent = await openSilentMembers(trackerUrls, await swarm, silentCount);
  }
  // Times are the pages' own (Date.now() when each joined, and when each saw another join).
  const met = new Map<number, number>();
  let logs = await Promise.all(pages.map(({ page }) => trysteroLog(page)));
  const lastJoin = logs.at(-1)!.startedAt;
  const seen = (a: number, b: number): number | undefined => {
    const at = logs[a]!.joined.indexOf(ids[b]!);
    return at < 0 ? undefined : logs[a]!.joinedAt[at];
  };
  for (;;) {
    pagePairs.forEach(([a, b], i) => {
      const [ab, ba] = [seen(a, b), seen(b, a)];
      if (ab !== undefined && ba !== undefined) met.set(i, Math.max(ab, ba) - logs[b]!.startedAt);
    });
    if (met.size === pagePairs.length || Date.now() - lastJoin > timeoutMs) break;
    await sleep(100);
    logs = await Promise.all(pages.map(({ page }) => trysteroLog(page)));
  }
  const pairs: Pair[] = pagePairs.map(([a, b], i) => ({
    earlierSmaller: ids[a]! < ids[b]!,
    meetMs: met.get(i),
  }));
  const complete = pairs.every((pair) => pair.meetMs !== undefined);
  // From the last join to the moment the last pair met.
  const fullMeshMs = complete
    ? Math.max(
        0,
        ...pairs.map((pair, i) => pair.meetMs! + logs[pagePairs[i]![1]]!.startedAt - lastJoin),
      )
    : undefined;
  const events = await trackerEvents(nodes);
  const offersAtSilent = silent?.offersReceived() ?? 0;
  silent?.close();
  results.push({ gaps, pairs, fullMeshMs, events, offersAtSilent });
  const missed = pairs.filter((pair) => pair.meetMs === undefined).length;
  const slow = pairs.filter((pair) => (pair.meetMs ?? Infinity) > 5_000).length;
  const apart = pairs.flatMap((pair, i) =>
    pair.meetMs === undefined || pair.meetMs > 5_000
      ? [
          `${pagePairs[i]!.join('-')}${pair.earlierSmaller ? ' (earlier smaller)' : ''}: ${pair.meetMs ?? 'missed'}`,
        ]
      : [],
  );
  console.log(
    `trial ${trial}: ${silentCount > 0 ? `${offersAtSilent} offers at silent members; ` : ''}full mesh ${fullMeshMs === undefined ? `not reached (${missed} pairs missed)` : `${fullMeshMs} ms after the last join`}; ${slow} of ${pairs.length} pairs over 5 s${apart.length === 0 ? '' : ` (${apart.join(', ')})`}\n  tracker events: ${JSON.stringify(events)}`,
  );
  await Promise.all(pages.map(({ page }) => page.context().close()));
  await net.close();
}
await browser.close();

const pairs = results.flatMap((trial) => trial.pairs);
const times = pairs.flatMap((pair) => (pair.meetMs === undefined ? [] : [pair.meetMs]));
const sorted = [...times].sort((x, y) => x - y);
const meshes = results.flatMap((trial) =>
  trial.fullMeshMs === undefined ? [] : [trial.fullMeshMs],
);
const summary = {
  trials,
  pages: pageCount,
  minGapMs,
  maxGapMs,
  lastGapMs,
  timeoutMs,
  seed,
  silent: silentCount,
  pairs: pairs.length,
  pairsMissed: pairs.length - times.length,
  pairsOver5s: pairs.filter((pair) => (pair.meetMs ?? Infinity) > 5_000).length,
  pairMedianMs: times.length === 0 ? null : round(median(times), 0),
  pairP90Ms: sorted.length === 0 ? null : sorted[Math.floor((sorted.length - 1) * 0.9)],
  fullMeshReached: meshes.length,
  fullMeshMedianMs: meshes.length === 0 ? null : round(median(meshes), 0),
  trialsDetail: results,
};
console.log(JSON.stringify({ ...summary, trialsDetail: undefined }));
console.log(`saved to ${saveResults(sectionName, summary, 'tracker')}`);
