// Fan-out deliveries/s of `sigmesh start --workers 2` against `--workers 1`, one room, in
// interleaved rounds (issue 15). Both servers are the real command as users run it (the built
// `packages/node/bin/sigmesh.js`: run `npm run build` first); members run in their own process
// (half of them land on each worker: their join challenges come from GET / on connections the
// kernel spread over the workers); this process publishes and times. Server CPU is the whole
// process tree's: the primary and every worker, from /proc.
//
//   node --conditions=source --import tsx bench/workers.ts [--members 2000] [--rounds 5]
//     [--deliveries 300000] [--reader reused|data] [--name SECTION]
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hrtime } from 'node:process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  decodeChallenge,
  deriveRoomHash,
  formatPowToken,
  parseNodeInfo,
  solve,
} from '@sigmesh/protocol';
import { nodeCryptoSearch } from '@sigmesh/node';
import {
  argument,
  cpuJiffies,
  cpuShares,
  median,
  readSyscalls,
  requireFds,
  round,
  saveResults,
  writeSyscalls,
} from './lib/bench-report.js';
import { sigmeshBenchOptions } from './lib/bench-servers.js';
import {
  membersReach,
  spawnNodeWithFdLimit,
  startChild,
  stopAllChildren,
  type BenchChild,
} from './lib/child-process.js';
import { KeepAliveConnection } from './lib/keepalive-connection.js';
import { joinToken } from './lib/pow-tokens.js';
import { openSseMember, type SseMember } from './lib/sse-member.js';

const size = Number(argument('members', '2000'));
const rounds = Number(argument('rounds', '5'));
const deliveriesPerRound = Number(argument('deliveries', '300000'));
const roundTimeoutMs = Number(argument('round-timeout-ms', '120000'));
/**
 * How the members' process reads its streams: `reused`, into one buffer for all (`onread`), the
 * cheaper; `data`, a new Buffer per read, as every run before 2026-12-04's evening did.
 */
const reader = argument('reader', 'reused');
if (reader !== 'reused' && reader !== 'data') throw new Error('--reader takes reused or data');
const sectionName = argument('name', 'workers');
const variants = [1, 2] as const;
const publishers = 4;
const room = deriveRoomHash('sigmesh-bench', 'workers');
const body = Buffer.from(JSON.stringify({ data: { kind: 'bench', text: 'x'.repeat(96) } }));
const bin = fileURLToPath(new URL('../packages/node/bin/sigmesh.js', import.meta.url));
/** Clock ticks per second of /proc/PID/stat (USER_HZ; 100 on Linux). */
const TICKS = 100;

interface Server {
  readonly workers: number;
  readonly process: ChildProcess;
  readonly port: number;
  readonly dataDir: string;
  /** The primary, then every worker the primary reported starting. */
  pids(): number[];
}

interface Side {
  readonly server: Server;
  readonly members: BenchChild;
  readonly publisher: SseMember;
  /** Publishing connections; each moves to the publisher's worker at its first request. */
  readonly connections: KeepAliveConnection[];
  /** The publisher's worker, from its session (`w<i>.`; none with one worker). */
  readonly publisherWorker: number | undefined;
}

interface Round {
  readonly workers: number;
  readonly round: number;
  readonly messages: number;
  readonly deliveries: number;
  readonly seconds: number;
  readonly deliveriesPerSecond: number;
  readonly complete: boolean;
  /** CPU seconds of the whole server (primary and workers) and of the members' process. */
  readonly cpuSeconds: { server: number; members: number };
  readonly serverCpuMicrosPerDelivery: number;
  /** Write system calls of the server processes, and read calls of the members', per delivery. */
  readonly serverWritesPerDelivery: number;
  readonly membersReadsPerDelivery: number;
  /** CPU seconds of each server process: the primary (none with one worker), then each worker. */
  readonly serverCpuByProcess: number[];
  /**
   * Deliveries per CPU second of the busiest server process: the rate the round would reach if
   * every process had a core of its own (what the contended machine cannot show in wall time).
   */
  readonly deliveriesPerBusiestCpuSecond: number;
  readonly machineCpu: { steal: number; idle: number };
  /** The machine's 1-minute load average at the round's end (other work on the 2 cores). */
  readonly loadAverage: number;
}

/** `sigmesh start --workers N` with the benchmarks' shared options as flags. */
async function startServer(workers: number): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sigmesh-bench-workers-'));
  const options: Record<string, unknown> = {
    ...sigmeshBenchOptions,
    host: '127.0.0.1',
    port: 0,
    dataDir,
    workers,
    heartbeatMs: 600_000,
    memberQueueBytes: 1 << 20,
    logLevel: 'info',
    logFormat: 'json',
  };
  const flags = Object.entries(options).flatMap(([key, value]) => [
    `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
    String(value),
  ]);
  const child = spawnNodeWithFdLimit([bin, 'start', ...flags], ['ignore', 'pipe', 'pipe']);
  const workerPids = new Map<number, number>();
  createInterface({ input: child.stderr! }).on('line', (line) => {
    const started = /worker (\d+) started \(pid (\d+)\)/.exec(line);
    if (started !== null) workerPids.set(Number(started[1]), Number(started[2]));
    else if (!line.startsWith(' ') && !line.startsWith('sigmesh 0'))
      process.stderr.write(`    [server] ${line}\n`);
  });
  const listening = new Set<string>();
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('sigmesh start did not listen in time')),
      60_000,
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (typeof entry.nodeId !== 'string' || typeof entry.publicUrl !== 'string') return;
      listening.add(entry.nodeId);
      if (listening.size === workers) {
        clearTimeout(timer);
        resolve(Number(new URL(entry.publicUrl).port));
      }
    });
    child.once('exit', (code) => reject(new Error(`sigmesh start exited (${code})`)));
  });
  return {
    workers,
    process: child,
    port,
    dataDir,
    pids: () => [child.pid!, ...workerPids.values()],
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** User + system CPU seconds of these processes, from /proc/PID/stat. */
function cpuSecondsOf(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // A worker that exited: its time is gone with it (none exit during a round).
    }
  }
  return ticks / TICKS;
}

/** A post token paid with a challenge of the publisher's worker (only that one can take it). */
async function postToken(connection: KeepAliveConnection, worker: number | undefined) {
  const info = parseNodeInfo(
    await connection.getJson(worker === undefined ? '/' : `/?worker=${worker}`),
  );
  if (!info.ok) throw new Error(info.message);
  const text = info.value.pow.challenges?.['room-post'];
  if (text === undefined) throw new Error('GET / quoted no room-post challenge');
  const challenge = decodeChallenge(text);
  if (!challenge.ok) throw new Error(challenge.message);
  const counter = await solve(challenge.value.bytes, challenge.value.difficulty, body, {
    search: nodeCryptoSearch,
  });
  return formatPowToken(text, counter);
}

function postRequest(session: string, token: string): Buffer {
  return Buffer.concat([
    Buffer.from(
      `POST /room/${room} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nauthorization: PoW ${token}\r\nsigmesh-session: ${session}\r\ncontent-length: ${body.length}\r\n\r\n`,
    ),
    body,
  ]);
}

async function setUp(workers: number): Promise<Side> {
  const server = await startServer(workers);
  const members = await startChild('./members-child.ts');
  const { ms } = await members.call<{ opened: number; ms: number }>(
    { type: 'open', port: server.port, room, count: size, sigmesh: true, concurrency: 64, reader },
    600_000,
  );
  const connections = await Promise.all(
    Array.from({ length: publishers }, () => KeepAliveConnection.open(server.port)),
  );
  const query = `?pow=${encodeURIComponent(await joinToken(connections[0]!, room))}`;
  const publisher = await openSseMember(
    server.port,
    `/room/${room}${query}`,
    () => undefined,
    600_000,
  );
  const tagged = /^w(\d+)\./.exec(publisher.welcome.session);
  process.stdout.write(
    `  --workers ${workers}: ${size} members joined in ${round(ms / 1000, 1)} s; the publisher is on worker ${tagged?.[1] ?? 0}\n`,
  );
  return {
    server,
    members,
    publisher,
    connections,
    publisherWorker: tagged === null ? undefined : Number(tagged[1]),
  };
}

async function runRound(
  side: Side,
  index: number,
  deliveries = deliveriesPerRound,
): Promise<Round> {
  const { workers } = side.server;
  // The members hear every message but the publisher's own.
  const messages = Math.max(1, Math.round(deliveries / size));
  const tokens: string[] = [];
  await Promise.all(
    side.connections.map(async (connection) => {
      while (tokens.length < messages)
        tokens.push(await postToken(connection, side.publisherWorker));
    }),
  );
  const requests = tokens
    .slice(0, messages)
    .map((token) => postRequest(side.publisher.welcome.session, token));
  const { reached } = await membersReach(side.members, messages * size, roundTimeoutMs);
  const pids = side.server.pids();
  const perProcessBefore = pids.map((pid) => cpuSecondsOf([pid]));
  const serverBefore = cpuSecondsOf(pids);
  const membersBefore = cpuSecondsOf([side.members.pid]);
  const writesBefore = sum(pids.map(writeSyscalls));
  const readsBefore = readSyscalls(side.members.pid);
  const jiffies = cpuJiffies();
  const started = hrtime.bigint();
  let next = 0;
  await Promise.all(
    side.connections.map(async (connection) => {
      while (next < requests.length) {
        const answer = await connection.request(requests[next++]!);
        if (answer.status !== 200)
          throw new Error(
            `--workers ${workers}: POST answered ${answer.status}: ${answer.body.toString()}`,
          );
      }
    }),
  );
  const at = await reached;
  const seconds = Number((at ?? hrtime.bigint()) - started) / 1e9;
  const server = round(cpuSecondsOf(pids) - serverBefore);
  const byProcess = pids.map((pid, i) => round(cpuSecondsOf([pid]) - perProcessBefore[i]!, 2));
  // With one worker the primary is the node; with more, the workers are (the primary only hands
  // out connections).
  const nodes = workers === 1 ? byProcess : byProcess.slice(1);
  const busiest = Math.max(0.01, ...nodes);
  const membersSeconds = round(cpuSecondsOf([side.members.pid]) - membersBefore);
  const writes = sum(pids.map(writeSyscalls)) - writesBefore;
  const reads = readSyscalls(side.members.pid) - readsBefore;
  const machineCpu = cpuShares(jiffies);
  const { received } = await side.members.call<{ received: number }>({ type: 'count' });
  const result: Round = {
    workers,
    round: index,
    messages,
    deliveries: received,
    seconds: round(seconds, 4),
    deliveriesPerSecond: Math.round(received / seconds),
    complete: at !== undefined,
    cpuSeconds: { server, members: membersSeconds },
    serverCpuMicrosPerDelivery: round((server * 1e6) / Math.max(1, received), 2),
    serverWritesPerDelivery: round(writes / Math.max(1, received), 3),
    membersReadsPerDelivery: round(reads / Math.max(1, received), 3),
    serverCpuByProcess: byProcess,
    deliveriesPerBusiestCpuSecond: Math.round(received / busiest),
    machineCpu,
    loadAverage: round(loadavg()[0]!, 1),
  };
  process.stdout.write(
    `  round ${index} --workers ${workers}: ${messages} msgs × ${size} = ${received} deliveries in ${round(seconds, 3)} s → ${result.deliveriesPerSecond}/s; cpu s: server ${server}, members ${membersSeconds}; server µs/delivery ${result.serverCpuMicrosPerDelivery} (by process ${byProcess.join(' / ')}; ${result.deliveriesPerBusiestCpuSecond}/busiest CPU s); per delivery: ${result.serverWritesPerDelivery} server writes, ${result.membersReadsPerDelivery} members' reads; idle ${machineCpu.idle}, load ${result.loadAverage}${at === undefined ? ' (TIMED OUT)' : ''}\n`,
  );
  return result;
}

async function stop(side: Side): Promise<void> {
  side.publisher.socket.destroy();
  for (const connection of side.connections) connection.close();
  await side.members.stop();
  side.server.process.kill('SIGTERM');
  await new Promise((resolve) => side.server.process.once('exit', resolve));
  rmSync(side.server.dataDir, { recursive: true, force: true });
}

requireFds(size + 200);
process.stdout.write(`fan-out, one room of ${size} members, sigmesh start --workers 1 vs 2\n`);
const sides: Side[] = [];
try {
  for (const workers of variants) sides.push(await setUp(workers));
  // One short untimed round each first, so both run JIT-compiled code in the timed rounds.
  for (const side of sides) await runRound(side, -1, deliveriesPerRound / 5);
  const results: Round[] = [];
  for (let index = 0; index < rounds; index++) {
    // Alternate which variant goes first, so drift over the run hits both alike.
    const order = index % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) results.push(await runRound(side, index));
  }
  const of = (workers: number): Round[] => results.filter((r) => r.workers === workers);
  const rate = (workers: number): number => median(of(workers).map((r) => r.deliveriesPerSecond));
  const cpu = (workers: number): number =>
    round(median(of(workers).map((r) => r.serverCpuMicrosPerDelivery)), 2);
  const ratio = round(rate(2) / rate(1));
  // Each round runs both variants back to back: their ratio within a round is less exposed to
  // what else the machine did over the run than the ratio of the two medians.
  const pairRatios = Array.from({ length: rounds }, (_, index) => {
    const [one, two] = [1, 2].map((workers) =>
      results.find((r) => r.round === index && r.workers === workers)!,
    );
    return round(two!.deliveriesPerSecond / one!.deliveriesPerSecond);
  });
  const medianPairRatio = round(median(pairRatios));
  const perBusiest = (workers: number): number =>
    median(of(workers).map((r) => r.deliveriesPerBusiestCpuSecond));
  const ownCoresRatio = round(perBusiest(2) / perBusiest(1));
  const membersCpu = (workers: number): number =>
    round(median(of(workers).map((r) => (r.cpuSeconds.members * 1e6) / r.deliveries)), 2);
  process.stdout.write(
    `  median: --workers 1 ${rate(1)}/s (${cpu(1)} µs server CPU/delivery), --workers 2 ${rate(2)}/s (${cpu(2)} µs), ratio ${ratio}; per round ${pairRatios.join(', ')} (median ${medianPairRatio}); with a core per process (busiest process's CPU): ${perBusiest(1)}/s vs ${perBusiest(2)}/s, ratio ${ownCoresRatio}; members' CPU per delivery ${membersCpu(1)} / ${membersCpu(2)} µs (reader ${reader})\n`,
  );
  const file = saveResults(
    sectionName,
    {
      method: `sigmesh start --workers 1 and 2 (built bin), one room of ${size} members (a child process reading SSE over raw sockets, reader ${reader}), ${publishers} keep-alive publishers on the publisher's worker, ${deliveriesPerRound} deliveries per round, ${rounds} interleaved rounds, medians; server CPU = primary + workers from /proc`,
      members: size,
      medianDeliveriesPerSecond: { workers1: rate(1), workers2: rate(2) },
      ratio,
      pairRatios,
      medianPairRatio,
      medianDeliveriesPerBusiestCpuSecond: { workers1: perBusiest(1), workers2: perBusiest(2) },
      ownCoresRatio,
      medianServerCpuMicrosPerDelivery: { workers1: cpu(1), workers2: cpu(2) },
      reader,
      medianMembersCpuMicrosPerDelivery: { workers1: membersCpu(1), workers2: membersCpu(2) },
      goal: 1.6,
      met: ratio >= 1.6 && medianPairRatio >= 1.6,
      rounds: results,
    },
    'workers',
  );
  process.stdout.write(`results: ${file}\n`);
} finally {
  for (const side of sides) await stop(side).catch(() => undefined);
  stopAllChildren();
}
