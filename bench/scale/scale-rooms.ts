// Room workloads of the scale bench: rooms placed on chosen nodes with one member per node (raw
// SSE members in this process), a wait until every member hears the room's poster, timed posts
// with delivery counted per member, and rendezvous of two members joining one room on two nodes.
import { setTimeout as sleepFor } from 'node:timers/promises';
import { deriveRoomHash } from '@sigmesh/protocol';
import { cpuJiffies, cpuShares, round } from '../lib/bench-report.js';
import {
  RoomPoster,
  nowMs,
  openRoomStream,
  percentile,
  sleep,
  type RoomStream,
} from '../mesh/room-stream.js';
import type { ScaleNode } from './scale-cluster.js';

/** p50/p95/p99 of a list of milliseconds (null when empty). */
export interface Spread {
  readonly count: number;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

export function spread(values: readonly number[]): Spread {
  const at = (p: number): number | null =>
    values.length === 0 ? null : round(percentile(values, p), 1);
  return { count: values.length, p50: at(50), p95: at(95), p99: at(99) };
}

/** A room with one member on each of its nodes; member 0 posts. */
export interface PlacedRoom {
  readonly room: string;
  readonly nodes: readonly ScaleNode[];
  readonly members: RoomStream[];
  /** A second member on the poster's node: the same-node delivery baseline (popular room only). */
  readonly witness?: RoomStream;
  /** Joins that got no welcome in time (their nodes are left out of `nodes`). */
  readonly failedJoins: number;
}

/** What posting into a set of rooms delivered. */
export interface DeliveryResult {
  readonly rooms: number;
  readonly members: number;
  /** Joins refused or not welcomed within 30 s (an overloaded node): left out of the counts. */
  readonly failedJoins: number;
  /** Posts not answered within 15 s: the room stops posting (an overloaded node). */
  readonly failedPosts: number;
  /** Rooms whose every member heard a probe from the poster within the wait. */
  readonly converged: number;
  /** Members' first probe after the joins (ms): the time a room takes to come together. */
  readonly convergeMs: Spread;
  /** Timed posts the nodes took (a room whose post timed out stops posting). */
  readonly posts: number;
  /** Member deliveries owed (posts × other members) and made. */
  readonly expected: number;
  readonly delivered: number;
  readonly share: number;
  /** Post sent → event at a member on another node (ms). */
  readonly latencyMs: Spread;
  /** Post sent → event at a member on the poster's own node (ms), when there is one. */
  readonly sameNodeLatencyMs: Spread;
}

let roomCounter = 0;
const runId = Math.random().toString(36).slice(2);

/** A fresh room hash for this run. */
export function freshRoom(kind: string): string {
  return deriveRoomHash('sigmesh-bench-scale', `${runId}-${kind}-${roomCounter++}`);
}

/** Joins one member per node (in parallel, `concurrency` at a time) and returns the rooms. */
export async function placeRooms(
  placements: readonly { room: string; nodes: readonly ScaleNode[]; witness?: boolean }[],
  concurrency = 32,
): Promise<PlacedRoom[]> {
  const jobs = placements.flatMap((placement, r) =>
    placement.nodes.map((node, m) => ({ r, m, port: node.port, room: placement.room })),
  );
  const members = placements.map((p) => new Array<RoomStream | undefined>(p.nodes.length));
  await inBatches(jobs, concurrency, async (job) => {
    members[job.r]![job.m] = await openRoomStream(job.port, job.room).catch(() => undefined);
  });
  return Promise.all(
    placements.map(async (placement, r) => {
      const joined = members[r]!;
      const nodes = placement.nodes.filter((_, m) => joined[m] !== undefined);
      const witness =
        placement.witness === true && nodes[0] !== undefined
          ? await openRoomStream(nodes[0].port, placement.room).catch(() => undefined)
          : undefined;
      return {
        room: placement.room,
        nodes,
        members: joined.filter((member) => member !== undefined),
        failedJoins: placement.nodes.length - nodes.length,
        ...(witness === undefined ? {} : { witness }),
      };
    }),
  );
}

/** Closes every member of the rooms. */
export function closeRooms(rooms: readonly PlacedRoom[]): void {
  for (const room of rooms) {
    for (const member of room.members) member.close();
    room.witness?.close();
  }
}

/**
 * Member 0 of each room posts a probe every `probeEveryMs` until every other member heard one
 * (or `waitMs` passed); then it posts `posts` timed messages `gapMs` apart, and deliveries are
 * counted until every one arrived or `settleMs` after the last (a late delivery counts, and shows
 * in the latency; one not there by then counts as lost). Rooms run in parallel.
 */
export async function measureDelivery(
  rooms: readonly PlacedRoom[],
  options: { posts: number; gapMs: number; waitMs: number; probeEveryMs: number; settleMs: number },
): Promise<DeliveryResult> {
  const convergeMs: number[] = [];
  const latency: number[] = [];
  const sameNode: number[] = [];
  let converged = 0;
  let failedPosts = 0;
  let posted = 0;
  let expected = 0;
  let delivered = 0;
  await inBatches(rooms, 64, async (room) => {
    const [poster, ...others] = room.members;
    if (poster === undefined) return;
    const heardProbe = new Set<RoomStream>();
    const started = nowMs();
    const timed = new Set<string>();
    let owed = 0;
    for (const member of others)
      member.onMessage = ({ at, data }) => {
        const body = data as { probe?: boolean; key?: string; t?: number };
        if (body.probe === true) {
          if (!heardProbe.has(member)) convergeMs.push(at - started);
          heardProbe.add(member);
        } else if (body.key !== undefined && body.t !== undefined) {
          const key = `${body.key}/${member.peerId}`;
          if (timed.has(key)) return;
          timed.add(key);
          delivered++;
          latency.push(at - body.t);
        }
      };
    if (room.witness !== undefined)
      room.witness.onMessage = ({ at, data }) => {
        const body = data as { t?: number };
        if (body.t !== undefined) sameNode.push(at - body.t);
      };
    const sender = await within(RoomPoster.open(room.nodes[0]!.port, room.room, poster.session));
    if (sender === undefined) {
      failedPosts++;
      return;
    }
    try {
      const deadline = started + options.waitMs;
      while (heardProbe.size < others.length && nowMs() < deadline) {
        if ((await within(sender.post({ probe: true }))) === undefined) {
          failedPosts++;
          return;
        }
        await sleep(options.probeEveryMs);
      }
      if (heardProbe.size === others.length) converged++;
      for (let i = 0; i < options.posts; i++) {
        if ((await within(sender.post({ key: `${room.room}-${i}`, t: nowMs() }))) === undefined) {
          failedPosts++;
          return;
        }
        posted++;
        expected += others.length;
        owed += others.length;
        await sleep(options.gapMs);
      }
      const settled = nowMs() + options.settleMs;
      while (timed.size < owed && nowMs() < settled) await sleep(50);
    } finally {
      sender.close();
    }
  });
  const members = rooms.reduce((sum, room) => sum + room.members.length, 0);
  return {
    rooms: rooms.length,
    members,
    failedJoins: rooms.reduce((sum, room) => sum + room.failedJoins, 0),
    failedPosts,
    converged,
    convergeMs: spread(convergeMs),
    posts: posted,
    expected,
    delivered,
    share: expected === 0 ? 1 : round(delivered / expected, 4),
    latencyMs: spread(latency),
    sameNodeLatencyMs: spread(sameNode),
  };
}

/**
 * Rendezvous: two members join one fresh room at the same moment on two random distinct nodes;
 * the first posts every `postEveryMs`; the time is from the later welcome until the second
 * member hears the first (DHT announce and lookup, mesh dial and handshake, interest exchange).
 */
export async function measureRendezvous(
  nodes: readonly ScaleNode[],
  options: { trials: number; concurrency: number; timeoutMs: number; postEveryMs: number },
): Promise<{
  trials: number;
  concurrency: number;
  failed: number;
  ms: Spread;
  /** Every trial's time (ms), in the order they ended. */
  samples: number[];
  /** The machine's CPU shares over the trials (a busy machine slows every DHT lookup). */
  machine: { steal: number; idle: number };
}> {
  const times: number[] = [];
  let failed = 0;
  const jiffies = cpuJiffies();
  const trials = Array.from({ length: options.trials }, () => pickDistinct(nodes, 2));
  await inBatches(trials, options.concurrency, async ([a, b]) => {
    const room = freshRoom('rendezvous');
    const joins = await Promise.allSettled([
      openRoomStream(a!.port, room),
      openRoomStream(b!.port, room),
    ]);
    const [x, y] = joins.map((join) => (join.status === 'fulfilled' ? join.value : undefined));
    if (x === undefined || y === undefined) {
      x?.close();
      y?.close();
      failed++;
      return;
    }
    const joined = nowMs();
    let arrived: number | undefined;
    y.onMessage = ({ at }) => (arrived ??= at);
    const poster = await within(RoomPoster.open(a!.port, room, x.session));
    try {
      while (
        poster !== undefined &&
        arrived === undefined &&
        nowMs() - joined < options.timeoutMs
      ) {
        if ((await within(poster.post({ hello: true }))) === undefined) break;
        await sleep(options.postEveryMs);
      }
    } finally {
      poster?.close();
      x.close();
      y.close();
    }
    if (arrived === undefined) failed++;
    else times.push(arrived - joined);
  });
  return {
    trials: options.trials,
    concurrency: options.concurrency,
    failed,
    ms: spread(times),
    samples: times.map((ms) => round(ms, 1)),
    machine: cpuShares(jiffies),
  };
}

/**
 * `promise`'s value, or undefined when it has not settled within `ms` (a node too busy to answer
 * a post must not hang the bench; the request is abandoned with its connection).
 */
export async function within<T>(promise: Promise<T>, ms = 15_000): Promise<T | undefined> {
  const cancel = new AbortController();
  const late = sleepFor(ms, undefined, { signal: cancel.signal }).catch(() => undefined);
  try {
    return await Promise.race([promise.catch(() => undefined), late.then(() => undefined)]);
  } finally {
    cancel.abort();
  }
}

/** `count` distinct random items. */
export function pickDistinct<T>(items: readonly T[], count: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, Math.min(count, copy.length));
}

/** Runs `work` over `items`, at most `concurrency` at once. */
export async function inBatches<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}
