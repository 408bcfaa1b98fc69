// Memory per idle room member, sigmesh vs the raw node:http baseline. The server runs alone in
// a child process with --expose-gc; the members run in another child, so only the server's
// memory is measured. Rounds alternate between the servers, each on a fresh process.
//
//   node --conditions=source --import tsx bench/memory.ts [--members 5000] [--rounds 3]
import { deriveRoomHash } from '@sigmesh/protocol';
import { argument, median, requireFds, round, saveResults } from './lib/bench-report.js';
import { startServer, type ServerKind } from './lib/bench-servers.js';
import { startChild, stopAllChildren } from './lib/child-process.js';

const members = Number(argument('members', '5000'));
const warmup = 100;
const rounds = Number(argument('rounds', '3'));
/** Joins in flight at once while filling (the pace of the fill; raw's own pace is far slower). */
const concurrency = Number(argument('concurrency', '32'));
const room = deriveRoomHash('sigmesh-bench', 'memory');
const GOAL_BYTES = 8 * 1024;

interface Reading {
  readonly rss: number;
  /** The V8 heap's committed size (used, plus free space V8 keeps). */
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

interface Round {
  readonly kind: ServerKind;
  readonly round: number;
  readonly members: number;
  readonly rssBytesPerMember: number;
  readonly heapBytesPerMember: number;
  readonly heapCommittedBytesPerMember: number;
  readonly externalBytesPerMember: number;
  readonly before: Reading;
  readonly after: Reading;
}

async function runRound(kind: ServerKind, index: number): Promise<Round> {
  const server = await startServer(kind, ['--expose-gc']);
  const clients = await startChild('./members-child.ts');
  try {
    const open = (count: number): Promise<{ opened: number }> =>
      clients.call(
        {
          type: 'open',
          port: server.port,
          room,
          count,
          sigmesh: kind === 'sigmesh',
          concurrency,
        },
        1_800_000,
      );
    // Warm up first (lazy code paths, JIT, first room), so the delta is members only.
    await open(warmup);
    const read = async (): Promise<Reading> => {
      const { memory, gc } = await server.child.call<{ memory: NodeJS.MemoryUsage; gc: boolean }>({
        type: 'memory',
      });
      if (!gc) throw new Error('the server child has no global gc(): --expose-gc was not applied');
      return {
        rss: memory.rss,
        heapTotal: memory.heapTotal,
        heapUsed: memory.heapUsed,
        external: memory.external,
        arrayBuffers: memory.arrayBuffers,
      };
    };
    const before = await read();
    const { opened } = await open(members);
    // Let the last join announcements drain before reading.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = await read();
    const added = opened - warmup;
    const per = (field: keyof Reading): number =>
      Math.round((after[field] - before[field]) / added);
    const result: Round = {
      kind,
      round: index,
      members: added,
      rssBytesPerMember: per('rss'),
      heapBytesPerMember: per('heapUsed'),
      heapCommittedBytesPerMember: per('heapTotal'),
      externalBytesPerMember: per('external'),
      before,
      after,
    };
    process.stdout.write(
      `  round ${index} ${kind.padEnd(7)} ${added} idle members: rss ${result.rssBytesPerMember} B, heap ${result.heapBytesPerMember} B (committed ${result.heapCommittedBytesPerMember} B), external ${result.externalBytesPerMember} B per member\n`,
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
  field: 'rssBytesPerMember' | 'heapBytesPerMember' | 'externalBytesPerMember',
): number => median(results.filter((r) => r.kind === kind).map((r) => r[field]));
const summary = (kind: ServerKind): Record<string, number | boolean> => {
  const rss = pick(kind, 'rssBytesPerMember');
  const heap = pick(kind, 'heapBytesPerMember');
  const external = pick(kind, 'externalBytesPerMember');
  return {
    rssBytesPerMember: rss,
    heapBytesPerMember: heap,
    externalBytesPerMember: external,
    metByRss: rss <= GOAL_BYTES,
    metByHeapPlusExternal: heap + external <= GOAL_BYTES,
  };
};
const sigmesh = summary('sigmesh');
const raw = summary('raw');
process.stdout.write(
  `  median per member: sigmesh ${JSON.stringify(sigmesh)}; raw ${JSON.stringify(raw)}\n`,
);
const file = saveResults('memory', {
  method: `server in its own process with --expose-gc; ${warmup} warm-up members, then ${members} more idle members from another process; delta of process.memoryUsage() after 3 forced GCs; ${rounds} interleaved rounds, fresh server each; medians`,
  goalBytesPerMember: GOAL_BYTES,
  sigmesh,
  raw,
  ratioRss: round(Number(sigmesh.rssBytesPerMember) / Number(raw.rssBytesPerMember)),
  rounds: results,
});
process.stdout.write(`results: ${file}\n`);
