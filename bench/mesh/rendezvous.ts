// Rendezvous time: a member on node X is in a room; a member on node Y joins; how long from Y's
// welcome until a message X posts reaches Y. X posts every --post-every-ms from before Y joins,
// so the figure includes the DHT announce/lookup, the mesh dial and handshake, and the interest
// exchange, at a resolution of that interval. Testnets of 2 sigmesh nodes on local DHTs of
// several sizes (createTestnet, one process: the figure is timer- and round-trip-bound, not CPU-bound).
//
//   node --conditions=source --import tsx bench/mesh/rendezvous.ts [--sizes 20,50,200] [--trials 7]
//
// Each trial is "cold": it waits until the previous trial's mesh link has closed (idle close
// shortened to 500 ms), so every trial needs the DHT. A "warm" trial follows each cold one: a
// second room joined while the link from the first is still up (no DHT needed).
import { createTestnet, type SigmeshNode, type Testnet } from '@sigmesh/node';
import { deriveRoomHash } from '@sigmesh/protocol';
import { argument, median, round } from '../lib/bench-report.js';
import { sigmeshBenchOptions } from '../lib/bench-servers.js';
import { saveMeshResults } from './mesh-results.js';
import { RoomPoster, nowMs, openRoomStream, sleep, type RoomStream } from './room-stream.js';

const sizes = argument('sizes', '20,50,200').split(',').map(Number);
const trials = Number(argument('trials', '7'));
const postEveryMs = Number(argument('post-every-ms', '2'));
const headStartMs = Number(argument('head-start-ms', '1000'));
const trialTimeoutMs = Number(argument('trial-timeout-ms', '30000'));
const name = argument('name', 'rendezvous');
// The node's default (production) timings for the room schedule, instead of the testnet's.
const productionTimings = process.argv.includes('--production-timings');
// X and Y join at the same moment (no head start): both announces and lookups race.
const together = process.argv.includes('--together');
const runId = Math.random().toString(36).slice(2);

interface Trial {
  readonly dhtNodes: number;
  readonly trial: number;
  readonly kind: 'cold' | 'warm';
  /** Y's welcome → first message from X at Y (ms); null when none came within the time limit. */
  readonly ms: number | null;
  /** Y's join request (PoW fetch included) → first message (ms). */
  readonly fromRequestMs: number | null;
}

function port(node: SigmeshNode): number {
  return node.address().port;
}

async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = nowMs() + ms;
  while (!check()) {
    if (nowMs() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * X is in `room` on node x; Y joins on node y (with --together, both join at the same moment);
 * returns the times and leaves both members open.
 */
async function rendezvous(
  x: SigmeshNode,
  y: SigmeshNode,
  room: string,
  cold: boolean,
): Promise<{ ms: number | null; fromRequestMs: number | null; members: RoomStream[] }> {
  // Cold trials start with no link (nodes verify each other with a short-lived link now and then;
  // one open at Y's join would turn the rendezvous into a plain interest exchange).
  const noLink = (): Promise<void> =>
    waitFor(
      () => x.meshStats().links === 0 && y.meshStats().links === 0,
      30_000,
      'no link before the join',
    );
  let first: RoomStream;
  let second: RoomStream | undefined;
  let requested = 0;
  if (together) {
    if (cold) await noLink();
    requested = nowMs();
    [first, second] = await Promise.all([
      openRoomStream(port(x), room),
      openRoomStream(port(y), room),
    ]);
  } else {
    first = await openRoomStream(port(x), room);
    await sleep(headStartMs);
    if (cold) await noLink();
  }
  const poster = await RoomPoster.open(port(x), room, first.session);
  let arrived: number | undefined;
  let posting = true;
  const posts = (async () => {
    for (let seq = 0; posting; seq++) {
      await poster.post({ seq });
      await sleep(postEveryMs);
    }
  })();
  if (second === undefined) {
    requested = nowMs();
    second = await openRoomStream(port(y), room);
  }
  const joined = nowMs();
  second.onMessage = ({ at }) => (arrived ??= at);
  const deadline = joined + trialTimeoutMs;
  while (arrived === undefined && nowMs() < deadline) await sleep(5);
  posting = false;
  await posts;
  poster.close();
  return {
    ms: arrived === undefined ? null : round(arrived - joined, 1),
    fromRequestMs: arrived === undefined ? null : round(arrived - requested, 1),
    members: [first, second],
  };
}

const results: Trial[] = [];
const setup: Record<string, number> = {};
for (const dhtNodes of sizes) {
  const started = nowMs();
  const testnet: Testnet = await createTestnet({
    nodes: 2,
    dhtNodes,
    nodeOptions: {
      ...sigmeshBenchOptions,
      logLevel: 'silent',
      heartbeatMs: 600_000,
      meshIdleCloseMs: 500,
      ...(productionTimings
        ? { discoveryLimits: { tickMs: 5_000, roomLookupMs: 30_000, roomAnnounceMs: 300_000 } }
        : {}),
    },
  });
  const [n0, n1] = testnet.nodes as [SigmeshNode, SigmeshNode];
  await waitFor(
    () => n0.dhtStatus().bootstrapped && n1.dhtStatus().bootstrapped,
    30_000,
    'both nodes bootstrapped',
  );
  setup[String(dhtNodes)] = round((nowMs() - started) / 1000, 2);
  process.stdout.write(`DHT of ${dhtNodes}: testnet up in ${setup[String(dhtNodes)]} s\n`);
  try {
    for (let trial = 0; trial < trials; trial++) {
      // Alternate the direction, so neither node's position in the DHT decides every trial.
      const [x, y] = trial % 2 === 0 ? [n0, n1] : [n1, n0];
      await waitFor(
        () => n0.meshStats().links === 0 && n1.meshStats().links === 0,
        30_000,
        'the previous link to close',
      );
      const cold = await rendezvous(
        x,
        y,
        deriveRoomHash('sigmesh-bench-rdv', `${runId}-${dhtNodes}-${trial}`),
        true,
      );
      const warm = await rendezvous(
        x,
        y,
        deriveRoomHash('sigmesh-bench-rdv', `${runId}-${dhtNodes}-${trial}-warm`),
        false,
      );
      for (const member of [...cold.members, ...warm.members]) member.close();
      results.push({
        dhtNodes,
        trial,
        kind: 'cold',
        ms: cold.ms,
        fromRequestMs: cold.fromRequestMs,
      });
      results.push({
        dhtNodes,
        trial,
        kind: 'warm',
        ms: warm.ms,
        fromRequestMs: warm.fromRequestMs,
      });
      process.stdout.write(
        `  trial ${trial}: cold ${cold.ms ?? 'timeout'} ms (from join request ${cold.fromRequestMs ?? '-'} ms), warm link ${warm.ms ?? 'timeout'} ms\n`,
      );
    }
  } finally {
    await testnet.close();
  }
}

const summary = sizes.map((dhtNodes) => {
  const pick = (kind: 'cold' | 'warm'): { medianMs: number; maxMs: number; failed: number } => {
    const list = results.filter((r) => r.dhtNodes === dhtNodes && r.kind === kind);
    const ok = list.flatMap((r) => (r.ms === null ? [] : [r.ms]));
    return {
      medianMs: round(median(ok), 1),
      maxMs: ok.length === 0 ? Number.NaN : Math.max(...ok),
      failed: list.length - ok.length,
    };
  };
  const line = { dhtNodes, trials, cold: pick('cold'), warmLink: pick('warm') };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  return line;
});
const file = saveMeshResults(name, {
  method: `createTestnet({ nodes: 2, dhtNodes }) in this process with testnetDiscoveryLimits (roomLookupMs 500, tickMs 200, queryTimeoutMs 500)${productionTimings ? ' except the production room schedule (tickMs 5000, roomLookupMs 30000, roomAnnounceMs 300000)' : ''}; bench node options (price 1) and meshIdleCloseMs 500; ${together ? 'X and Y join at the same moment on the two nodes (time from the later welcome)' : `X joins, ${headStartMs} ms later Y joins on the other node`}; X posts every ${postEveryMs} ms; time = Y's welcome → first message from X at Y; cold trials wait for no link; warm = a second room while the first room's link is up; directions alternate; ${trials} trials per size`,
  testnetSetupSeconds: setup,
  summary,
  trials: results,
});
process.stdout.write(`results → ${file}\n`);
