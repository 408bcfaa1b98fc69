// Memory per idle room member, sigmesh vs the raw node:http baseline. The server runs alone in
// a child process with --expose-gc; the members run in another child, so only the server's
// memory is measured. Rounds alternate between the servers, each on a fresh process.
//
//   node --conditions=source --import tsx bench/memory.ts [--members 5000] [--rounds 3] [--idle-s 35]
//     [--memory-trim-seconds 30 (the node's; 0: the node never trims)] [--name SECTION (memory)]
//
// Read twice: 1 s after the fill, and once the room has been idle for --idle-s (0: not read),
// long enough for a sigmesh node to give the memory it freed back to the system
// (--memory-trim-seconds, default 30). That idle reading is taken against a baseline read after
// the same wait before the fill (a trim also gives back what start-up freed). Both servers wait
// alike.
import { deriveRoomHash } from '@sigmesh/protocol';
import { argument, median, requireFds, round, saveResults } from './lib/bench-report.js';
import { openIdleMembers, startServer, type ServerKind } from './lib/bench-servers.js';
import { startChild, stopAllChildren } from './lib/child-process.js';

const members = Number(argument('members', '5000'));
const warmup = 100;
const rounds = Number(argument('rounds', '3'));
/** Joins in flight at once while filling (the pace of the fill; raw's own pace is far slower). */
const concurrency = Number(argument('concurrency', '32'));
const idleSeconds = Number(argument('idle-s', '35'));
/** The sigmesh node's --memory-trim-seconds ('' keeps the node's default, 30). */
const trimSeconds = argument('memory-trim-seconds', '');
const sectionName = argument('name', 'memory');
const room = deriveRoomHash('sigmesh-bench', 'memory');
const GOAL_BYTES = 8 * 1024;

interface Reading {
  readonly rss: number;
  /** The V8 heap's committed size (used, plus free space V8 keeps). */
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** sigmesh: the node's trims so far and the RSS they gave back (from GET /metrics). */
  readonly trims?: number;
  readonly trimmedBytes?: number;
}

type MemoryField = 'rss' | 'heapTotal' | 'heapUsed' | 'external' | 'arrayBuffers';

interface Round {
  readonly kind: ServerKind;
  readonly round: number;
  readonly members: number;
  readonly rssBytesPerMember: number;
  readonly heapBytesPerMember: number;
  readonly heapCommittedBytesPerMember: number;
  readonly externalBytesPerMember: number;
  /** RSS per member once the room has been idle for --idle-s (undefined with --idle-s 0). */
  readonly idleRssBytesPerMember: number | undefined;
  readonly before: Reading;
  readonly after: Reading;
  readonly idleBefore: Reading | undefined;
  readonly idle: Reading | undefined;
}

/** The node's memory-trim counters, read from its /metrics. */
async function trimMetrics(port: number): Promise<{ trims: number; trimmedBytes: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (name: string): number =>
    Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    trims: value('sigmesh_memory_trims_total'),
    trimmedBytes: value('sigmesh_memory_trimmed_bytes_total'),
  };
}

async function runRound(kind: ServerKind, index: number): Promise<Round> {
  const server = await startServer(kind, ['--expose-gc'], {
    node: trimSeconds === '' ? {} : { memoryTrimSeconds: Number(trimSeconds) },
  });
  const clients = await startChild('./members-child.ts');
  try {
    const open = (count: number): Promise<{ opened: number }> =>
      openIdleMembers(clients, server, room, count, concurrency);
    // Warm up first (lazy code paths, JIT, first room), so the delta is members only.
    await open(warmup);
    const read = async (): Promise<Reading> => {
      const { memory, gc } = await server.child.call<{ memory: NodeJS.MemoryUsage; gc: boolean }>({
        type: 'memory',
      });
      if (!gc) throw new Error('the server child has no global gc(): --expose-gc was not applied');
      const trims = kind === 'sigmesh' ? await trimMetrics(server.port) : {};
      return {
        ...trims,
        rss: memory.rss,
        heapTotal: memory.heapTotal,
        heapUsed: memory.heapUsed,
        external: memory.external,
        arrayBuffers: memory.arrayBuffers,
      };
    };
    const before = await read();
    const idleWait = (): Promise<unknown> =>
      new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
    let idleBefore: Reading | undefined;
    if (idleSeconds > 0) {
      await idleWait();
      idleBefore = await read();
    }
    const { opened } = await open(members);
    // Let the last join announcements drain before reading.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = await read();
    let idle: Reading | undefined;
    if (idleSeconds > 0) {
      await idleWait();
      idle = await read();
    }
    const added = opened - warmup;
    const per = (field: MemoryField, at = after, from = before): number =>
      Math.round((at[field] - from[field]) / added);
    const result: Round = {
      kind,
      round: index,
      members: added,
      rssBytesPerMember: per('rss'),
      heapBytesPerMember: per('heapUsed'),
      heapCommittedBytesPerMember: per('heapTotal'),
      externalBytesPerMember: per('external'),
      idleRssBytesPerMember:
        idle === undefined || idleBefore === undefined ? undefined : per('rss', idle, idleBefore),
      before,
      after,
      idleBefore,
      idle,
    };
    process.stdout.write(
      `  round ${index} ${kind.padEnd(7)} ${added} idle members: rss ${result.rssBytesPerMember} B, heap ${result.heapBytesPerMember} B (committed ${result.heapCommittedBytesPerMember} B), external ${result.externalBytesPerMember} B per member${idle === undefined ? '' : `; idle ${idleSeconds} s: rss ${result.idleRssBytesPerMember} B`}${idle?.trims === undefined ? '' : ` (${idle.trims} trims so far, ${Math.round((idle.trimmedBytes ?? 0) / 1024)} KiB given back)`}\n`,
    );
    return result;
  } finally {
    await clients.stop();
    await server.child.stop();
  }
}

requireFds(members + warmup + 200);
process.stdout.write(
  `memory: ${members} idle members in one room (after ${warmup} warm-up members), ${rounds} interleaved rounds\n`,
);
const results: Round[] = [];
try {
  for (let index = 0; index < rounds; index++) {
    const order: ServerKind[] = index % 2 === 0 ? ['sigmesh', 'raw'] : ['raw', 'sigmesh'];
    for (const kind of order) results.push(await runRound(kind, index));
  }
} finally {
  stopAllChildren();
}
const pick = (
  kind: ServerKind,
  field:
    'rssBytesPerMember' | 'heapBytesPerMember' | 'externalBytesPerMember' | 'idleRssBytesPerMember',
): number => median(results.filter((r) => r.kind === kind).map((r) => r[field] ?? Number.NaN));
const summary = (kind: ServerKind): Record<string, number | boolean> => {
  const rss = pick(kind, 'rssBytesPerMember');
  const heap = pick(kind, 'heapBytesPerMember');
  const external = pick(kind, 'externalBytesPerMember');
  const idleRss = pick(kind, 'idleRssBytesPerMember');
  return {
    rssBytesPerMember: rss,
    heapBytesPerMember: heap,
    externalBytesPerMember: external,
    idleRssBytesPerMember: idleRss,
    metByRss: rss <= GOAL_BYTES,
    metByIdleRss: idleRss <= GOAL_BYTES,
    metByHeapPlusExternal: heap + external <= GOAL_BYTES,
  };
};
const sigmesh = summary('sigmesh');
const raw = summary('raw');
process.stdout.write(
  `  median per member: sigmesh ${JSON.stringify(sigmesh)}; raw ${JSON.stringify(raw)}\n`,
);
const file = saveResults(sectionName, {
  memoryTrimSeconds: trimSeconds === '' ? 'node default' : Number(trimSeconds),
  method: `server in its own process with --expose-gc; ${warmup} warm-up members, then ${members} more idle members from another process; delta of process.memoryUsage() after 3 forced GCs, 1 s after the fill and again after ${idleSeconds} s idle; ${rounds} interleaved rounds, fresh server each; medians`,
  goalBytesPerMember: GOAL_BYTES,
  sigmesh,
  raw,
  ratioRss: round(Number(sigmesh.rssBytesPerMember) / Number(raw.rssBytesPerMember)),
  rounds: results,
});
process.stdout.write(`results: ${file}\n`);
