import type { NodeOptions } from '@sigmesh/node';
import { startChild, type BenchChild } from './child-process.js';

/** The two servers every benchmark compares. */
export type ServerKind = 'sigmesh' | 'raw';

/** A server child and its port. */
export interface BenchServer {
  readonly kind: ServerKind;
  readonly child: BenchChild;
  readonly port: number;
}

/**
 * The sigmesh options the benchmarks share, and why. Joins need PoW, so the base price is 1
 * hash (setup stays cheap; verification costs the same at any price: one MAC, two SHA-256).
 * The price is kept flat for the whole run — no rise with this client's rate (everything comes
 * from 127.0.0.1) and none with load — so tokens solved before a timed window still pass in it.
 * Room, connection and per-address caps (streams, connections, requests without PoW, paid
 * requests) are lifted because every member shares one address. Heartbeats
 * are slowed to once per 10 minutes on both servers so they do not land inside timed windows.
 * The member queue is 1 MiB on both servers: the `welcome` event lists every member (35 bytes
 * each), and with the default 64 KiB a member joining a room of ~1,800 or more is cut at once.
 */
export const sigmeshBenchOptions: NodeOptions = {
  // Loopback only: no public DHT bootstrap, no built-in TURN listener on UDP/TCP 3478.
  dhtBootstrap: 'none',
  turnPort: -1,
  powBaseDifficulty: 1,
  powFreeMessages: 1_000_000,
  powLoadDoublings: 0,
  powTtlSeconds: 3600,
  maxMembersPerRoom: 1_000_000,
  maxStreamsPerAddress: 1_000_000,
  // Connection caps lifted the same way: every member shares 127.0.0.1, and requireFds() already
  // checks that the child's open-file limit holds the run (the derived cap would stop at 10,000).
  maxConnections: 1_000_000,
  maxConnectionsPerAddress: 0,
  // Every bench client shares 127.0.0.1 and fetches its challenges from GET /: lift the
  // per-address allowances (requests without PoW, paid requests of one address).
  unpaidRequestsPerSecond: 1_000_000,
  unpaidBurst: 10_000_000,
  powAddressFreeMessages: 10_000_000,
};

/** Starts one server child (`--expose-gc` so memory can be read after full collections). */
export async function startServer(
  kind: ServerKind,
  nodeFlags: readonly string[] = [],
  extra: { rawAnnounceJoins?: boolean; node?: NodeOptions } = {},
): Promise<BenchServer> {
  const { node, ...rest } = extra;
  const child = await startChild(
    './server-child.ts',
    [
      kind,
      JSON.stringify({
        heartbeatMs: 600_000,
        memberQueueBytes: 1 << 20,
        node: { ...sigmeshBenchOptions, ...node },
        ...rest,
      }),
    ],
    nodeFlags,
  );
  const { port } = await child.call<{ port: number }>({ type: 'port' });
  return { kind, child, port };
}

/**
 * Opens `count` more idle members of `room` on `server` from the members' child process
 * (`members-child.ts`), `concurrency` joins in flight; resolves with how many it holds open.
 */
export function openIdleMembers(
  clients: BenchChild,
  server: BenchServer,
  room: string,
  count: number,
  concurrency: number,
): Promise<{ opened: number }> {
  return clients.call(
    {
      type: 'open',
      port: server.port,
      room,
      count,
      sigmesh: server.kind === 'sigmesh',
      concurrency,
    },
    1_800_000,
  );
}
