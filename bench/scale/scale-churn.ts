// The churn driver of the scale bench: nodes in small "churn hosts" are replaced at a set rate,
// every other replacement without a goodbye (SIGKILL of the host: links and member streams just
// drop), the others stopped with it; each new node gets a member in the popular room. Members on
// stable nodes post throughout; delivery is counted to members on nodes that survive each post,
// and to members on replacement nodes once they had `healMs` to join the mesh.
import { round } from '../lib/bench-report.js';
import { RoomPoster, nowMs, openRoomStream, sleep, type RoomStream } from '../mesh/room-stream.js';
import type { ScaleCluster, ScaleHost, ScaleNode } from './scale-cluster.js';
import { spread, within, type PlacedRoom, type Spread } from './scale-rooms.js';

/** Options of the churn phase. */
export interface ChurnOptions {
  /** Nodes replaced per minute, in % of all nodes. */
  readonly percentPerMinute: number;
  readonly minutes: number;
  /** Nodes living in churn hosts (the replaceable part of the network). */
  readonly poolNodes: number;
  /** Nodes per churn host (a SIGKILL takes them all). */
  readonly hostNodes: number;
  readonly postEveryMs: number;
  /** Time a replacement node's member gets to be reached before posts are owed to it. */
  readonly healMs: number;
}

/** What the churn phase delivered. */
export interface ChurnResult {
  readonly seconds: number;
  readonly nodesReplaced: number;
  readonly killedWithoutGoodbye: number;
  readonly stoppedWithGoodbye: number;
  readonly posts: number;
  /** Members on nodes that never churned. */
  readonly stable: { expected: number; delivered: number; share: number };
  /** Members on churn nodes alive through a post (original and replacement nodes). */
  readonly churnNodes: { expected: number; delivered: number; share: number };
  readonly latencyMs: Spread;
}

interface Tracked {
  readonly member: RoomStream;
  readonly stable: boolean;
  readonly joinedAt: number;
  diedAt: number;
  readonly heard: Set<number>;
}

/** Replaces churn hosts for `minutes` while stable members post into `popular`. */
export async function runChurn(
  cluster: ScaleCluster,
  popular: PlacedRoom,
  options: ChurnOptions,
  log: (line: string) => void,
): Promise<ChurnResult> {
  const started = nowMs();
  const tracked = new Map<number, Tracked[]>();
  const latency: number[] = [];
  const follow = (node: ScaleNode, member: RoomStream, joinedAt: number): void => {
    const entry: Tracked = {
      member,
      stable: !node.host.churn,
      joinedAt,
      diedAt: Number.POSITIVE_INFINITY,
      heard: new Set(),
    };
    member.onMessage = ({ at, data }) => {
      const body = data as { churn?: number; t?: number };
      if (body.churn === undefined || entry.heard.has(body.churn)) return;
      entry.heard.add(body.churn);
      if (body.t !== undefined) latency.push(at - body.t);
    };
    tracked.set(node.index, [...(tracked.get(node.index) ?? []), entry]);
  };
  popular.nodes.forEach((node, i) => follow(node, popular.members[i]!, started - options.healMs));
  const stableMembers = popular.nodes.flatMap((node, i) =>
    node.host.churn ? [] : [{ node, member: popular.members[i]! }],
  );
  if (stableMembers.length < 2) throw new Error('churn needs the popular room on 2 stable nodes');
  const posters = await Promise.all(
    stableMembers.slice(0, 5).map(async ({ node, member }) => ({
      member,
      poster: await RoomPoster.open(node.port, popular.room, member.session),
    })),
  );
  const sent: { id: number; at: number; from: RoomStream }[] = [];
  const endAt = started + options.minutes * 60_000;
  let posting = true;
  const posts = (async () => {
    for (let id = 0; posting; id++) {
      const { member, poster } = posters[id % posters.length]!;
      const at = nowMs();
      // A post the node did not take within 15 s is not counted as sent.
      if ((await within(poster.post({ churn: id, t: at }))) !== undefined)
        sent.push({ id, at, from: member });
      await sleep(options.postEveryMs);
    }
  })();

  const total = cluster.nodes.size;
  const perMinute = (total * options.percentPerMinute) / 100 / options.hostNodes;
  const everyMs = perMinute > 0 ? 60_000 / perMinute : Number.POSITIVE_INFINITY;
  let replaced = 0;
  let killed = 0;
  let stopped = 0;
  try {
    for (let op = 0; nowMs() + everyMs < endAt; op++) {
      await sleep(Math.max(0, started + (op + 1) * everyMs - nowMs()));
      const victim = cluster.hosts.find((host: ScaleHost) => host.churn);
      if (victim === undefined) break;
      const indices = [...victim.nodes];
      const goodbye = op % 2 === 1;
      const diedAt = nowMs();
      for (const index of indices)
        for (const entry of tracked.get(index) ?? []) entry.diedAt = diedAt;
      if (goodbye) {
        for (const index of indices) await cluster.stopNode(index);
        await cluster.killHost(victim);
        stopped += indices.length;
      } else {
        await cluster.killHost(victim);
        killed += indices.length;
      }
      for (const index of indices)
        for (const entry of tracked.get(index) ?? []) entry.member.close();
      replaced += indices.length;
      const fresh = await cluster.addHost(indices.length, true);
      for (const node of fresh) {
        const member = await openRoomStream(node.port, popular.room);
        follow(node, member, nowMs());
      }
      log(
        `  churn: ${goodbye ? 'stopped' : 'killed'} ${indices.length}, ${replaced} replaced so far`,
      );
    }
    await sleep(Math.max(0, endAt - nowMs()));
  } finally {
    posting = false;
    await posts;
    for (const { poster } of posters) poster.close();
  }
  const settleMs = 3_000;
  await sleep(settleMs);
  const count = (stable: boolean): { expected: number; delivered: number; share: number } => {
    let expected = 0;
    let delivered = 0;
    for (const entries of tracked.values())
      for (const entry of entries) {
        if (entry.stable !== stable) continue;
        for (const post of sent) {
          if (post.from === entry.member) continue;
          if (entry.joinedAt + options.healMs > post.at) continue;
          if (entry.diedAt < post.at + settleMs) continue;
          expected++;
          if (entry.heard.has(post.id)) delivered++;
        }
      }
    return { expected, delivered, share: expected === 0 ? 1 : round(delivered / expected, 4) };
  };
  return {
    seconds: round((nowMs() - started) / 1000, 1),
    nodesReplaced: replaced,
    killedWithoutGoodbye: killed,
    stoppedWithGoodbye: stopped,
    posts: sent.length,
    stable: count(true),
    churnNodes: count(false),
    latencyMs: spread(latency),
  };
}
