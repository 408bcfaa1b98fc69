// A soak load generator in its own process: holds its share of the room members (raw sockets,
// every event parsed), posts at its share of the rate for random members of random rooms
// (broadcast or addressed), replaces members at its share of the churn rate, and answers the
// driver's checks (who it holds, whether each member's view matches the truth) and reports.
import { performance } from 'node:perf_hooks';
import { utf8 } from '@sigmesh/protocol';
import { serveParent, tellParent } from '../lib/child-process.js';
import { solvedToken } from '../lib/pow-tokens.js';
import { ConnectionPool } from './connection-pool.js';
import type { MemberRecord, PostRecord } from './delivery-accounting.js';
import { LatencyHistogram } from './latency-histogram.js';
import { PostLane } from './post-lane.js';
import { seededRandom } from './soak-plan.js';
import { SoakMember, nowMs, type MemberListener } from './soak-member.js';

interface Setup {
  generator: number;
  ports: number[];
  lanesPerNode: number;
  tokenConnectionsPerNode: number;
  joinTimeoutMs: number;
  seed: number;
}

let setup: Setup | undefined;
let random: () => number = Math.random;
let lanes: PostLane[][] = [];
let tokenPools: ConnectionPool[] = [];

/** Open members (welcome read, not ended), and an index for uniform random picks. */
const live: SoakMember[] = [];
const liveIndex = new Map<SoakMember, number>();
const byRoom = new Map<string, SoakMember[]>();
/** Members whose streams ended (records kept for the tally). */
const ended: MemberRecord[] = [];
const posts: PostRecord[] = [];
let nextPost = 0;

const counters = {
  joins: 0,
  joinFailures: {} as Record<string, number>,
  churnLeaves: 0,
  closedByNode: 0,
  postsSkipped: 0,
  postsMade: 0,
  postsOk: 0,
  messagesRead: 0,
  foreignMessages: 0,
  events: {} as Record<string, number>,
};
const latencyWindow = new LatencyHistogram();
/**
 * Every delivery's send time and latency (monotonic ms), in pairs: the report splits them into
 * those sent while a checkpoint could delay them (a forced full GC on every node, every view
 * compared) and the rest, so the checkpoints' own cost is not charged to the mesh.
 */
let delays = new Float64Array(1 << 16);
let delayCount = 0;

function recordDelay(sentAt: number, ms: number): void {
  if (delayCount * 2 + 2 > delays.length) {
    const grown = new Float64Array(delays.length * 2);
    grown.set(delays);
    delays = grown;
  }
  delays[delayCount * 2] = sentAt;
  delays[delayCount * 2 + 1] = ms;
  delayCount++;
}

/** Latency histograms of the deliveries sent outside and inside `windows` ([from, to] ms). */
function latencyReport(windows: readonly (readonly [number, number])[]): {
  steady: ReturnType<LatencyHistogram['toJSON']>;
  checkpoints: ReturnType<LatencyHistogram['toJSON']>;
} {
  const steady = new LatencyHistogram();
  const during = new LatencyHistogram();
  for (let i = 0; i < delayCount; i++) {
    const sentAt = delays[i * 2]!;
    const inside = windows.some(([from, to]) => sentAt >= from && sentAt <= to);
    (inside ? during : steady).add(delays[i * 2 + 1]!);
  }
  return { steady: steady.toJSON(), checkpoints: during.toJSON() };
}
let elu = performance.eventLoopUtilization();

const listener: MemberListener = {
  message(_member, _post, sentAt, at, foreign) {
    counters.messagesRead++;
    if (foreign) counters.foreignMessages++;
    recordDelay(sentAt, at - sentAt);
    latencyWindow.add(at - sentAt);
  },
  other(_member, name) {
    counters.events[name] = (counters.events[name] ?? 0) + 1;
  },
  ended(member, byNode) {
    if (byNode) counters.closedByNode++;
    forget(member);
    ended.push(member.record());
  },
};

function remember(member: SoakMember): void {
  liveIndex.set(member, live.length);
  live.push(member);
  let list = byRoom.get(member.room);
  if (list === undefined) byRoom.set(member.room, (list = []));
  list.push(member);
}

function forget(member: SoakMember): void {
  const at = liveIndex.get(member);
  if (at === undefined) return;
  const last = live.pop()!;
  if (last !== member) {
    live[at] = last;
    liveIndex.set(last, at);
  }
  liveIndex.delete(member);
  const list = byRoom.get(member.room);
  if (list !== undefined) {
    const i = list.indexOf(member);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) byRoom.delete(member.room);
  }
}

/** Joins one member: a fresh `room-join` challenge from `GET /`, then the stream. */
async function join(place: { room: string; roomIndex: number; node: number }): Promise<boolean> {
  const s = setup!;
  try {
    const token = await tokenPools[place.node]!.use((connection) =>
      solvedToken(connection, 'room-join', utf8(place.room)),
    );
    const member = await SoakMember.join(
      s.ports[place.node]!,
      place,
      token,
      listener,
      s.joinTimeoutMs,
    );
    counters.joins++;
    remember(member);
    return true;
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).slice(0, 120);
    counters.joinFailures[reason] = (counters.joinFailures[reason] ?? 0) + 1;
    return false;
  }
}

/** Runs `tasks` with at most `concurrency` at once. */
async function runAll(tasks: (() => Promise<unknown>)[], concurrency: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, tasks.length) }, async () => {
      while (next < tasks.length) await tasks[next++]!();
    }),
  );
}

// ── traffic and churn ─────────────────────────────────────────────────────────────────────────

interface Traffic {
  postsPerSecond: number;
  addressedShare: number;
  /** Fraction of this generator's members replaced per minute. */
  churnPerMinute: number;
}

let traffic: Traffic | undefined;
let trafficTimer: NodeJS.Timeout | undefined;
let churnPaused = false;
const inFlightPosts = new Set<Promise<void>>();
const inFlightChurn = new Set<Promise<void>>();
let postsDue = 0;
let churnDue = 0;
let lastTick = 0;

function tick(): void {
  const now = nowMs();
  const seconds = (now - lastTick) / 1000;
  lastTick = now;
  if (traffic === undefined) return;
  postsDue += seconds * traffic.postsPerSecond;
  for (; postsDue >= 1; postsDue--) post();
  if (churnPaused) return;
  churnDue += (seconds * traffic.churnPerMinute * live.length) / 60;
  for (; churnDue >= 1; churnDue--) churn();
}

/** One post from a random member of a random room (of the rooms this generator has members in). */
function post(): void {
  const rooms = [...byRoom.keys()];
  if (rooms.length === 0) return;
  const room = rooms[Math.floor(random() * rooms.length)]!;
  const senders = byRoom.get(room)!.filter((member) => !member.leaving);
  const from = senders[Math.floor(random() * senders.length)];
  if (from === undefined) return;
  const lane = lanes[from.node]!.find((candidate) => !candidate.busy);
  if (lane === undefined) {
    counters.postsSkipped++;
    return;
  }
  let to: string | undefined;
  if (random() < traffic!.addressedShare && from.view.size > 0) {
    const view = [...from.view];
    to = view[Math.floor(random() * view.length)];
  }
  const id = setup!.generator * 1e9 + nextPost++;
  counters.postsMade++;
  const bodyAt = (sentAt: number): Buffer =>
    Buffer.from(
      JSON.stringify(
        to === undefined ? { data: { p: id, t: sentAt } } : { data: { p: id, t: sentAt }, to },
      ),
    );
  const done = lane.post(room, from.session, bodyAt).then(({ outcome, sentAt, messageId }) => {
    if (outcome === 'ok') counters.postsOk++;
    posts.push({
      id,
      room,
      from: from.peerId,
      ...(to === undefined ? {} : { to }),
      node: from.node,
      sentAt,
      answeredAt: nowMs(),
      outcome,
      ...(messageId === undefined ? {} : { messageId }),
    });
  });
  inFlightPosts.add(done);
  void done.finally(() => inFlightPosts.delete(done));
}

/** One member leaves; a new one joins the same room on a random node. */
function churn(): void {
  const candidates = live.length;
  if (candidates === 0) return;
  const member = live[Math.floor(random() * candidates)]!;
  if (member.leaving) return;
  member.leave('churn');
  counters.churnLeaves++;
  const node = Math.floor(random() * setup!.ports.length);
  const done = join({ room: member.room, roomIndex: member.roomIndex, node }).then(() => undefined);
  inFlightChurn.add(done);
  void done.finally(() => inFlightChurn.delete(done));
}

async function settle(set: Set<Promise<void>>, timeoutMs: number): Promise<void> {
  const end = nowMs() + timeoutMs;
  while (set.size > 0 && nowMs() < end) await Promise.race([...set, sleep(100)]);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ── checks and reports ────────────────────────────────────────────────────────────────────────

/** Members with their welcome read and not leaving, by room: [peer id, node index] pairs. */
function truthPieces(): Record<string, [string, number][]> {
  const rooms: Record<string, [string, number][]> = {};
  for (const member of live) {
    if (member.leaving || !member.open) continue;
    (rooms[member.room] ??= []).push([member.peerId, member.node]);
  }
  return rooms;
}

/** Compares every open member's view with the room's truth (itself left out). */
function checkViews(truth: Record<string, string[]>): Record<string, unknown> {
  let checked = 0;
  let mismatched = 0;
  let missingTotal = 0;
  let extraTotal = 0;
  const examples: Record<string, unknown>[] = [];
  const sets = new Map<string, Set<string>>();
  for (const member of live) {
    if (member.leaving || !member.open) continue;
    checked++;
    let expected = sets.get(member.room);
    if (expected === undefined)
      sets.set(member.room, (expected = new Set(truth[member.room] ?? [])));
    const size = expected.size - (expected.has(member.peerId) ? 1 : 0);
    let agrees = member.view.size === size;
    if (agrees) for (const peer of member.view) if (!expected.has(peer)) agrees = false;
    if (agrees) continue;
    const missing = [...expected].filter(
      (peer) => peer !== member.peerId && !member.view.has(peer),
    );
    const extra = [...member.view].filter((peer) => !expected.has(peer));
    mismatched++;
    missingTotal += missing.length;
    extraTotal += extra.length;
    if (examples.length < 10)
      examples.push({
        room: member.room,
        node: member.node,
        peerId: member.peerId,
        viewSize: member.view.size,
        expectedSize: size,
        missing: missing.slice(0, 5),
        extra: extra.slice(0, 5),
      });
  }
  return { checked, mismatched, missing: missingTotal, extra: extraTotal, examples };
}

function sample(): Record<string, unknown> {
  const now = performance.eventLoopUtilization();
  const window = performance.eventLoopUtilization(now, elu);
  elu = now;
  const memory = process.memoryUsage();
  const result = {
    open: live.length,
    counters: structuredClone(counters),
    inFlightPosts: inFlightPosts.size,
    latencyWindow: latencyWindow.toJSON(),
    elu: window.utilization,
    rss: memory.rss,
    heapUsed: memory.heapUsed,
  };
  latencyWindow.reset();
  return result;
}

serveParent(async (message) => {
  switch (message.type) {
    case 'init': {
      setup = message.setup as Setup;
      random = seededRandom(setup.seed);
      tokenPools = await Promise.all(
        setup.ports.map((port) => ConnectionPool.open(port, setup!.tokenConnectionsPerNode)),
      );
      lanes = setup.ports.map((port) =>
        Array.from({ length: setup!.lanesPerNode }, () => new PostLane(port)),
      );
      return { ok: true };
    }
    case 'open': {
      const places = message.members as { room: string; roomIndex: number; node: number }[];
      const started = nowMs();
      let opened = 0;
      await runAll(
        places.map((place) => async () => {
          if (await join(place)) opened++;
          if (opened % 1000 === 0 && opened > 0)
            tellParent({ type: 'progress', generator: setup!.generator, opened });
        }),
        Number(message.concurrency ?? 16),
      );
      return { opened, failed: places.length - opened, ms: nowMs() - started };
    }
    case 'traffic':
      traffic = message.traffic as Traffic;
      lastTick = nowMs();
      trafficTimer ??= setInterval(tick, 20);
      return { ok: true };
    case 'churn':
      churnPaused = message.paused === true;
      if (churnPaused) await settle(inFlightChurn, 30_000);
      return { inFlight: inFlightChurn.size };
    case 'truth':
      return { rooms: truthPieces() };
    case 'check':
      return checkViews(message.truth as Record<string, string[]>);
    case 'sample':
      return sample();
    case 'stopTraffic':
      clearInterval(trafficTimer);
      trafficTimer = undefined;
      traffic = undefined;
      await settle(inFlightChurn, 30_000);
      await settle(inFlightPosts, 30_000);
      return { inFlightPosts: inFlightPosts.size, inFlightChurn: inFlightChurn.size };
    case 'report':
      return {
        posts,
        members: [...ended, ...live.map((member) => member.record())],
        latency: latencyReport((message.checkpoints ?? []) as [number, number][]),
        counters,
      };
    case 'close':
      for (const member of [...live]) member.leave('stopped');
      for (const pool of tokenPools) pool.close();
      for (const list of lanes) for (const lane of list) lane.close();
      return { ok: true };
    default:
      throw new Error(`soak-load-child: unknown request ${String(message.type)}`);
  }
});
