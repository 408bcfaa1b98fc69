// Publish requests/s: sigmesh with PoW verification vs the raw node:http baseline without PoW,
// in interleaved rounds. Tokens are solved before each timed window, so the window measures
// the node's verify + publish path, not the client's hashing.
//
//   node --conditions=source --import tsx bench/publish.ts [--rounds 3] [--requests 20000] [--connections 16]
//     [--profile-dir DIR]   (a V8 CPU profile of each server over each timed window only)
//     [--profile-interval-us N] (its sampling interval, 1000 by default as V8's)
//     [--bind room|body]    (what the post tokens bind: the room hash, as today's client does
//                            with nodes listing `room-bound-posts`, or the body, as older ones)
//     [--name SECTION]      (the results section, `publish` by default)
import { join } from 'node:path';
import { hrtime } from 'node:process';
import { deriveRoomHash, utf8 } from '@sigmesh/protocol';
import {
  argument,
  cpuJiffies,
  cpuShares,
  median,
  round,
  saveResults,
  writeSyscalls,
} from './lib/bench-report.js';
import { startServer, type BenchServer, type ServerKind } from './lib/bench-servers.js';
import { stopAllChildren, type BenchChild } from './lib/child-process.js';
import { KeepAliveConnection } from './lib/keepalive-connection.js';
import { joinToken, postTokens } from './lib/pow-tokens.js';
import { openSseMember, type SseMember } from './lib/sse-member.js';

const rounds = Number(argument('rounds', '3'));
const requestsPerRound = Number(argument('requests', '20000'));
const connectionCount = Number(argument('connections', '16'));
const roundTimeoutMs = Number(argument('round-timeout-ms', '120000'));
const profileDir = argument('profile-dir', '');
const profileIntervalUs = Number(argument('profile-interval-us', '1000'));
const bind = argument('bind', 'room');
const sectionName = argument('name', 'publish');
if (bind !== 'room' && bind !== 'body') throw new Error('--bind takes room or body');
const room = deriveRoomHash('sigmesh-bench', 'publish');
const body = Buffer.from(JSON.stringify({ data: { kind: 'bench', text: 'x'.repeat(96) } }));
const bound = bind === 'room' ? utf8(room) : body;

interface Side {
  readonly server: BenchServer;
  readonly publisher: SseMember;
  readonly listener: SseMember;
  readonly connections: KeepAliveConnection[];
  /** Messages the listener has seen (a check that posts really fan out). */
  readonly listened: { count: number };
}

interface Round {
  readonly kind: ServerKind;
  readonly round: number;
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly serverCpuSeconds: number;
  readonly serverCpuMicrosPerRequest: number;
  /** Of which in user space (the rest is the kernel's: system calls, loopback TCP). */
  readonly serverUserMicrosPerRequest: number;
  readonly listenerReceived: number;
  /** Write system calls the server made per post in the window (/proc/PID/io syscw). */
  readonly writeSyscallsPerRequest: number;
  /** The server's young-generation collections per 1,000 posts (what a post allocates). */
  readonly scavengesPerThousand: number;
  /** Its main thread's time in garbage collection per post, µs. */
  readonly gcMicrosPerRequest: number;
  /** Machine-wide shares of CPU time stolen by the hypervisor and idle during the round. */
  readonly machineCpu: { steal: number; idle: number };
}

/** The server's CPU time so far, in seconds: in user space and in the kernel. */
async function cpuOf(child: BenchChild): Promise<{ user: number; system: number }> {
  const { cpu } = await child.call<{ cpu: NodeJS.CpuUsage }>({ type: 'cpu' });
  return { user: cpu.user / 1e6, system: cpu.system / 1e6 };
}

interface Collections {
  readonly minor: number;
  readonly other: number;
  readonly ms: number;
}

/** The server's garbage collections so far (bench/lib/server-child.ts). */
async function collectionsOf(child: BenchChild): Promise<Collections> {
  return (await child.call<{ gc: Collections }>({ type: 'gc' })).gc;
}

async function setUp(kind: ServerKind): Promise<Side> {
  const server = await startServer(kind);
  const connections = await Promise.all(
    Array.from({ length: connectionCount }, () => KeepAliveConnection.open(server.port)),
  );
  const path = async (): Promise<string> =>
    `/room/${room}${kind === 'sigmesh' ? `?pow=${encodeURIComponent(await joinToken(connections[0]!, room))}` : ''}`;
  const publisher = await openSseMember(server.port, await path(), () => undefined);
  // One other member, so each post is delivered once (a room of one delivers nothing).
  const listened = { count: 0 };
  const listener = await openSseMember(
    server.port,
    await path(),
    (count) => (listened.count += count),
  );
  return { server, publisher, listener, connections, listened };
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

async function runRound(side: Side, index: number, count = requestsPerRound): Promise<Round> {
  const kind = side.server.kind;
  const tokens = kind === 'sigmesh' ? await postTokens(side.connections, count, bound) : [];
  const requests = Array.from({ length: count }, (_, i) =>
    postRequest(side.publisher.welcome.session, tokens[i]),
  );
  side.listened.count = 0;
  if (profileDir !== '')
    await side.server.child.call({ type: 'profile-start', intervalUs: profileIntervalUs });
  const gcBefore = await collectionsOf(side.server.child);
  const cpuBefore = await cpuOf(side.server.child);
  const writesBefore = writeSyscalls(side.server.child.pid);
  const deadline = Date.now() + roundTimeoutMs;
  let next = 0;
  let done = 0;
  const jiffies = cpuJiffies();
  const started = hrtime.bigint();
  await Promise.all(
    side.connections.map(async (connection) => {
      while (next < requests.length && Date.now() < deadline) {
        const answer = await connection.request(requests[next++]!);
        if (answer.status !== 200)
          throw new Error(`${kind} POST answered ${answer.status}: ${answer.body.toString()}`);
        done++;
      }
    }),
  );
  const seconds = Number(hrtime.bigint() - started) / 1e9;
  const machineCpu = cpuShares(jiffies);
  if (profileDir !== '')
    await side.server.child.call({
      type: 'profile-stop',
      file: join(profileDir, `publish-${kind}-round${index}.cpuprofile`),
    });
  const cpuAfter = await cpuOf(side.server.child);
  const gcAfter = await collectionsOf(side.server.child);
  const userSeconds = cpuAfter.user - cpuBefore.user;
  const serverCpuSeconds = userSeconds + cpuAfter.system - cpuBefore.system;
  const writes = writeSyscalls(side.server.child.pid) - writesBefore;
  const result: Round = {
    kind,
    round: index,
    requests: done,
    seconds: round(seconds, 4),
    requestsPerSecond: Math.round(done / seconds),
    serverCpuSeconds: round(serverCpuSeconds),
    serverCpuMicrosPerRequest: round((serverCpuSeconds * 1e6) / done, 1),
    serverUserMicrosPerRequest: round((userSeconds * 1e6) / done, 1),
    listenerReceived: side.listened.count,
    writeSyscallsPerRequest: round(writes / done, 3),
    scavengesPerThousand: round(((gcAfter.minor - gcBefore.minor) * 1000) / done, 2),
    gcMicrosPerRequest: round(((gcAfter.ms - gcBefore.ms) * 1000) / done, 2),
    machineCpu,
  };
  process.stdout.write(
    `  round ${index} ${kind.padEnd(7)} ${done} posts in ${round(seconds, 3)} s → ${result.requestsPerSecond}/s; server cpu ${result.serverCpuMicrosPerRequest} µs/post (user ${result.serverUserMicrosPerRequest}); ${result.writeSyscallsPerRequest} writes/post; ${result.scavengesPerThousand} scavenges/1000 posts, gc ${result.gcMicrosPerRequest} µs/post; steal ${machineCpu.steal}\n`,
  );
  return result;
}

process.stdout.write(
  `publish: ${requestsPerRound} posts per round over ${connectionCount} keep-alive connections, ${rounds} interleaved rounds\n`,
);
const sides = { sigmesh: await setUp('sigmesh'), raw: await setUp('raw') };
const results: Round[] = [];
try {
  // One short untimed round each first, so both run JIT-compiled code in the timed rounds.
  for (const side of Object.values(sides))
    await runRound(side, -1, Math.ceil(requestsPerRound / 4));
  for (let index = 0; index < rounds; index++) {
    const order: ServerKind[] = index % 2 === 0 ? ['sigmesh', 'raw'] : ['raw', 'sigmesh'];
    for (const kind of order) results.push(await runRound(sides[kind], index));
  }
} finally {
  for (const side of Object.values(sides)) {
    side.publisher.socket.destroy();
    side.listener.socket.destroy();
    for (const connection of side.connections) connection.close();
    await side.server.child.stop();
  }
  stopAllChildren();
}
const pick = (kind: ServerKind, field: 'requestsPerSecond' | 'serverCpuMicrosPerRequest'): number =>
  median(results.filter((r) => r.kind === kind).map((r) => r[field]));
const sigmesh = pick('sigmesh', 'requestsPerSecond');
const raw = pick('raw', 'requestsPerSecond');
process.stdout.write(
  `  median: sigmesh ${sigmesh}/s, raw ${raw}/s, ratio ${round(sigmesh / raw)}\n`,
);
const file = saveResults(sectionName, {
  method: `one room (publisher + one listener member); ${requestsPerRound} posts per round over ${connectionCount} keep-alive connections (raw-socket HTTP/1.1 client, one request in flight per connection); sigmesh tokens pre-solved outside the window, bound to the ${bind === 'room' ? "room hash (as today's client posts)" : 'body (as older clients post)'} (price 1, flat: powFreeMessages 1,000,000, powLoadDoublings 0); ${rounds} interleaved rounds; medians`,
  medianRequestsPerSecond: { sigmesh, raw },
  medianServerCpuMicrosPerRequest: {
    sigmesh: pick('sigmesh', 'serverCpuMicrosPerRequest'),
    raw: pick('raw', 'serverCpuMicrosPerRequest'),
  },
  ratio: round(sigmesh / raw),
  goal: 0.8,
  met: sigmesh / raw >= 0.8,
  rounds: results,
});
process.stdout.write(`results: ${file}\n`);
