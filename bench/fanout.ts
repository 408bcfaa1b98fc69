// Fan-out deliveries/s for one room of 1,000 and of 10,000 members, sigmesh vs the raw
// node:http baseline, in interleaved rounds. Servers and members each run in their own
// process; this process only publishes and times.
//
//   node --conditions=source --import tsx bench/fanout.ts [--sizes 1000,10000] [--rounds 3]
//     [--raw-quiet-fill-from 5000] [--deliveries 500000] [--name SECTION (fanout)]
import { hrtime } from 'node:process';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { deriveRoomHash } from '@sigmesh/protocol';
import {
  argument,
  cpuJiffies,
  cpuShares,
  loadResults,
  median,
  resultsFile,
  requireFds,
  round,
  saveResults,
  writeSyscalls,
} from './lib/bench-report.js';
import { startServer, type BenchServer, type ServerKind } from './lib/bench-servers.js';
import { membersReach, startChild, stopAllChildren, type BenchChild } from './lib/child-process.js';
import { KeepAliveConnection } from './lib/keepalive-connection.js';
import { joinToken, postTokens } from './lib/pow-tokens.js';
import { openSseMember, type SseMember } from './lib/sse-member.js';

const sizes = argument('sizes', '1000,10000').split(',').map(Number);
const rounds = Number(argument('rounds', '5'));
/** Deliveries per round: enough for a second or more of work, bounded so a round cannot run away. */
const deliveriesPerRound = Number(argument('deliveries', '500000'));
const roundTimeoutMs = Number(argument('round-timeout-ms', '120000'));
const setupTimeoutMs = Number(argument('setup-timeout-ms', '3600000'));
/**
 * From this room size on, the raw baseline fills its room without announcing joins: it writes
 * each join to every member, so its fill is O(N²) writes (10,000 members: over 13 minutes of
 * server CPU here). Fan-out, what this benchmark times, is the same either way. sigmesh always
 * announces (its presence is paced in large rooms, issue 13).
 */
const rawQuietFillFrom = Number(argument('raw-quiet-fill-from', '5000'));
const publishers = 4;
const room = deriveRoomHash('sigmesh-bench', 'fanout');
const body = Buffer.from(JSON.stringify({ data: { kind: 'bench', text: 'x'.repeat(96) } }));

interface Side {
  readonly server: BenchServer;
  readonly members: BenchChild;
  readonly publisher: SseMember;
  readonly connections: KeepAliveConnection[];
  readonly setupMs: number;
  /** Server CPU seconds (user + system) spent filling the room. */
  readonly setupServerCpuSeconds: number;
}

interface Round {
  readonly kind: ServerKind;
  readonly round: number;
  readonly messages: number;
  readonly deliveries: number;
  readonly acknowledged: number;
  readonly seconds: number;
  readonly deliveriesPerSecond: number;
  readonly complete: boolean;
  /** CPU seconds (user + system) each process spent in the round. */
  readonly cpuSeconds: { server: number; members: number; publisher: number };
  /** Machine-wide shares of CPU time stolen by the hypervisor and idle during the round. */
  readonly machineCpu: { steal: number; idle: number };
  /** Event-loop utilisation of the server over the window (1 = never waiting). */
  readonly serverEventLoopUtilization: number;
  /** Write system calls the server made per delivery in the window (/proc/PID/io syscw). */
  readonly serverWritesPerDelivery: number;
}

type CpuReading = { cpu: NodeJS.CpuUsage; elu: EventLoopUtilization };

/** The server's event-loop utilisation over the window: below 1 while it waits for work. */
async function eluOf(child: BenchChild): Promise<EventLoopUtilization> {
  return (await child.call<CpuReading>({ type: 'cpu' })).elu;
}

async function cpuOf(child: BenchChild): Promise<number> {
  const { cpu } = await child.call<CpuReading>({ type: 'cpu' });
  return (cpu.user + cpu.system) / 1e6;
}

function postRequest(session: string, token: string | undefined): Buffer {
  const auth = token === undefined ? '' : `authorization: PoW ${token}\r\n`;
  return Buffer.concat([
    Buffer.from(
      `POST /room/${room} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n${auth}sigmesh-session: ${session}\r\ncontent-length: ${body.length}\r\n\r\n`,
    ),
    body,
  ]);
}

async function setUp(kind: ServerKind, size: number): Promise<Side> {
  const server = await startServer(kind, [], { rawAnnounceJoins: size < rawQuietFillFrom });
  const members = await startChild('./members-child.ts');
  const cpuBefore = await cpuOf(server.child);
  const { ms } = await members.call<{ opened: number; ms: number }>(
    {
      type: 'open',
      port: server.port,
      room,
      count: size,
      sigmesh: kind === 'sigmesh',
      concurrency: 64,
    },
    setupTimeoutMs,
  );
  const setupServerCpuSeconds = round((await cpuOf(server.child)) - cpuBefore, 2);
  const connections = await Promise.all(
    Array.from({ length: publishers }, () => KeepAliveConnection.open(server.port)),
  );
  const query =
    kind === 'sigmesh' ? `?pow=${encodeURIComponent(await joinToken(connections[0]!, room))}` : '';
  // The publisher is a member too (its posts need a live session); fan-out skips the sender.
  const publisher = await openSseMember(
    server.port,
    `/room/${room}${query}`,
    () => undefined,
    600_000,
  );
  process.stdout.write(
    `  ${kind}: ${size} members joined in ${round(ms / 1000, 1)} s (server CPU ${setupServerCpuSeconds} s)\n`,
  );
  return { server, members, publisher, connections, setupMs: ms, setupServerCpuSeconds };
}

async function runRound(
  side: Side,
  size: number,
  index: number,
  deliveries = deliveriesPerRound,
): Promise<Round> {
  const kind = side.server.kind;
  const messages = Math.max(1, Math.round(deliveries / size));
  // Outside the timed window: the PoW tokens (sigmesh) and the request bytes.
  const tokens = kind === 'sigmesh' ? await postTokens(side.connections, messages, body) : [];
  const requests = Array.from({ length: messages }, (_, i) =>
    postRequest(side.publisher.welcome.session, tokens[i]),
  );
  const { reached } = await membersReach(side.members, messages * size, roundTimeoutMs);

  const cpuBefore = {
    server: await cpuOf(side.server.child),
    members: await cpuOf(side.members),
    publisher: process.cpuUsage(),
  };
  const eluBefore = await eluOf(side.server.child);
  const writesBefore = writeSyscalls(side.server.child.pid);
  const jiffies = cpuJiffies();
  const started = hrtime.bigint();
  let next = 0;
  let acknowledged = 0;
  await Promise.all(
    side.connections.map(async (connection) => {
      while (next < requests.length) {
        const answer = await connection.request(requests[next++]!);
        if (answer.status !== 200)
          throw new Error(`${kind} POST answered ${answer.status}: ${answer.body.toString()}`);
        acknowledged += (JSON.parse(answer.body.toString('utf8')) as { delivered: number })
          .delivered;
      }
    }),
  );
  const at = await reached;
  const writes = writeSyscalls(side.server.child.pid) - writesBefore;
  const seconds = Number((at ?? hrtime.bigint()) - started) / 1e9;
  const machineCpu = cpuShares(jiffies);
  const eluAfter = await eluOf(side.server.child);
  const serverEventLoopUtilization = round(
    performance.eventLoopUtilization(eluAfter, eluBefore).utilization,
    2,
  );
  const publisherCpu = process.cpuUsage(cpuBefore.publisher);
  const cpuSeconds = {
    server: round((await cpuOf(side.server.child)) - cpuBefore.server),
    members: round((await cpuOf(side.members)) - cpuBefore.members),
    publisher: round((publisherCpu.user + publisherCpu.system) / 1e6),
  };
  const { received } = await side.members.call<{ received: number }>({ type: 'count' });
  const result: Round = {
    kind,
    round: index,
    messages,
    deliveries: received,
    acknowledged,
    seconds: round(seconds, 4),
    deliveriesPerSecond: Math.round(received / seconds),
    complete: at !== undefined,
    cpuSeconds,
    machineCpu,
    serverEventLoopUtilization,
    serverWritesPerDelivery: round(writes / Math.max(1, received), 4),
  };
  process.stdout.write(
    `  round ${index} ${kind.padEnd(7)} ${messages} msgs × ${size} = ${received} deliveries in ${round(seconds, 3)} s → ${result.deliveriesPerSecond}/s; cpu s: server ${cpuSeconds.server}, members ${cpuSeconds.members}, publisher ${cpuSeconds.publisher}; steal ${machineCpu.steal}; server ELU ${serverEventLoopUtilization}; server writes/delivery ${result.serverWritesPerDelivery}${at === undefined ? ' (TIMED OUT)' : ''}\n`,
  );
  return result;
}

async function measure(size: number): Promise<Record<string, unknown>> {
  process.stdout.write(`fan-out, one room of ${size} members\n`);
  // One room after the other: filling both at once was slower here (cache and CPU contention).
  const sigmeshSide = await setUp('sigmesh', size);
  const sides = { sigmesh: sigmeshSide, raw: await setUp('raw', size) };
  try {
    // One short untimed round each first, so both run JIT-compiled code in the timed rounds.
    for (const side of Object.values(sides)) await runRound(side, size, -1, deliveriesPerRound / 5);
    const results: Round[] = [];
    for (let index = 0; index < rounds; index++) {
      // Alternate which server goes first, so drift over the run hits both alike.
      const order: ServerKind[] = index % 2 === 0 ? ['sigmesh', 'raw'] : ['raw', 'sigmesh'];
      for (const kind of order) results.push(await runRound(sides[kind], size, index));
    }
    const rate = (kind: ServerKind): number =>
      median(results.filter((r) => r.kind === kind).map((r) => r.deliveriesPerSecond));
    const sigmesh = rate('sigmesh');
    const raw = rate('raw');
    // Server CPU per delivery: a second view, less sensitive to other load on the machine.
    const cpuPerDelivery = (kind: ServerKind): number =>
      round(
        median(
          results
            .filter((r) => r.kind === kind)
            .map((r) => (r.cpuSeconds.server * 1e6) / r.deliveries),
        ),
        2,
      );
    const writesPerDelivery = (kind: ServerKind): number =>
      median(results.filter((r) => r.kind === kind).map((r) => r.serverWritesPerDelivery));
    const stats = {
      sigmesh: await sides.sigmesh.server.child.call({ type: 'stats' }),
      raw: await sides.raw.server.child.call({ type: 'stats' }),
    };
    process.stdout.write(
      `  median: sigmesh ${sigmesh}/s, raw ${raw}/s, ratio ${round(sigmesh / raw)}\n`,
    );
    return {
      members: size,
      medianDeliveriesPerSecond: { sigmesh, raw },
      ratio: round(sigmesh / raw),
      medianServerCpuMicrosPerDelivery: {
        sigmesh: cpuPerDelivery('sigmesh'),
        raw: cpuPerDelivery('raw'),
      },
      medianServerWritesPerDelivery: {
        sigmesh: writesPerDelivery('sigmesh'),
        raw: writesPerDelivery('raw'),
      },
      goal: 1.5,
      met: sigmesh / raw >= 1.5,
      setupSeconds: {
        sigmesh: round(sides.sigmesh.setupMs / 1000, 1),
        raw: round(sides.raw.setupMs / 1000, 1),
      },
      setupServerCpuSeconds: {
        sigmesh: sides.sigmesh.setupServerCpuSeconds,
        raw: sides.raw.setupServerCpuSeconds,
      },
      rawAnnouncedJoins: size < rawQuietFillFrom,
      serverStats: stats,
      rounds: results,
    };
  } finally {
    for (const side of Object.values(sides)) {
      side.publisher.socket.destroy();
      for (const connection of side.connections) connection.close();
      await side.members.stop();
      await side.server.child.stop();
    }
  }
}

function save(): void {
  saveResults(argument('name', 'fanout'), {
    method: `one room; members in a child process read SSE over raw sockets and count message events; ${publishers} keep-alive publishers; ${deliveriesPerRound} deliveries per round; ${rounds} interleaved rounds per server; medians`,
    bySize,
  });
}

requireFds(Math.max(...sizes) + 200);
// Sizes measured in an earlier run today stay in the file unless measured again.
const earlier =
  (loadResults().fanout as { bySize?: Record<string, unknown> } | undefined)?.bySize ?? {};
const bySize: Record<string, unknown> = { ...earlier };
try {
  for (const size of sizes) {
    bySize[String(size)] = await measure(size);
    save();
  }
} finally {
  stopAllChildren();
}
process.stdout.write(`results: ${resultsFile()}\n`);
