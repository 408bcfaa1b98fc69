import { cpuJiffies, cpuShares, round } from '../lib/bench-report.js';
import type { BenchChild } from '../lib/child-process.js';
import { KeepAliveConnection } from '../lib/keepalive-connection.js';
import { joinToken } from '../lib/pow-tokens.js';
import { openSseMember, type SseMember } from '../lib/sse-member.js';
import { cpuSeconds } from './mesh-cluster.js';
import { RoomPoster, nowMs, openRoomStream, sleep, type RoomStream } from './room-stream.js';

/** A room with one publisher member, several posting connections, and counting listeners. */
export interface CountRoom {
  readonly hash: string;
  readonly publisher: RoomStream;
  readonly posters: RoomPoster[];
  readonly listeners: SseMember[];
  /** `message` events seen by all listeners together (reset by each measurement). */
  readonly received: { count: number };
  /** `leave` events the publisher saw: a listener on another node reported gone (link cut). */
  readonly leaves: { count: number };
}

/**
 * Opens the publisher on `publisherPort`, one counting listener per entry of `listenPorts`, and
 * `connections` posters; then posts until every listener has seen two messages, so the mesh
 * link and the other node's interest are in place before anything is timed.
 */
export async function openCountRoom(options: {
  hash: string;
  publisherPort: number;
  listenPorts: readonly number[];
  connections: number;
}): Promise<CountRoom> {
  const { hash, publisherPort, listenPorts } = options;
  const publisher = await openRoomStream(publisherPort, hash);
  const received = { count: 0 };
  const listeners: SseMember[] = [];
  for (const port of listenPorts) {
    const connection = await KeepAliveConnection.open(port);
    const token = await joinToken(connection, hash);
    connection.close();
    listeners.push(
      await openSseMember(
        port,
        `/room/${hash}?pow=${encodeURIComponent(token)}`,
        (n) => (received.count += n),
      ),
    );
  }
  const posters = await Promise.all(
    Array.from({ length: options.connections }, () =>
      RoomPoster.open(publisherPort, hash, publisher.session),
    ),
  );
  const deadline = nowMs() + 60_000;
  while (received.count < listenPorts.length * 2) {
    if (nowMs() > deadline) throw new Error(`room ${hash}: listeners never reached`);
    await posters[0]!.post({ warm: true });
    await sleep(100);
  }
  const leaves = { count: 0 };
  publisher.onLeave = () => leaves.count++;
  return { hash, publisher, posters, listeners, received, leaves };
}

/** What one closed-loop window did, with the CPU each process used and the machine's shares. */
export interface WindowResult {
  readonly posts: number;
  readonly delivered: number;
  readonly seconds: number;
  readonly cpu: Record<string, number>;
  readonly steal: number;
  readonly idle: number;
}

/** Closed-loop posting on every poster of `target` for `seconds`; posts answered and messages counted. */
export async function closedLoop(
  target: CountRoom,
  seconds: number,
  nodes: Readonly<Record<string, BenchChild>>,
  payload: string,
): Promise<WindowResult> {
  const before = new Map<string, number>();
  for (const [name, child] of Object.entries(nodes)) before.set(name, await cpuSeconds(child));
  const own = process.cpuUsage();
  const jiffies = cpuJiffies();
  target.received.count = 0;
  const started = nowMs();
  const end = started + seconds * 1000;
  let posts = 0;
  await Promise.all(
    target.posters.map(async (poster, i) => {
      while (nowMs() < end) {
        await poster.post({ i, payload });
        posts++;
      }
    }),
  );
  const elapsed = (nowMs() - started) / 1000;
  const delivered = target.received.count;
  const ownCpu = process.cpuUsage(own);
  const cpu: Record<string, number> = {};
  for (const [name, child] of Object.entries(nodes))
    cpu[name] = round((await cpuSeconds(child)) - before.get(name)!);
  cpu.loadGenerator = round((ownCpu.user + ownCpu.system) / 1e6);
  return { posts, delivered, seconds: round(elapsed, 3), cpu, ...cpuShares(jiffies) };
}

/**
 * Open-loop posts at `rate`/s into `into` until `stop.done`. A post falls due every 1/rate s;
 * when every poster is still waiting for an answer it is skipped (and counted), not queued.
 */
export async function pace(
  rate: number,
  stop: { done: boolean },
  into: CountRoom,
  payload: string,
): Promise<{ sent: number; skipped: number; seconds: number }> {
  const started = nowMs();
  let due = 0;
  let sent = 0;
  let skipped = 0;
  while (!stop.done) {
    const target = Math.floor(((nowMs() - started) / 1000) * rate);
    while (due < target) {
      due++;
      const poster = into.posters.find((p) => !p.busy);
      if (poster === undefined) {
        skipped++;
        continue;
      }
      sent++;
      void poster.post({ bg: due, payload }).catch(() => undefined);
    }
    await sleep(2);
  }
  return { sent, skipped, seconds: (nowMs() - started) / 1000 };
}
