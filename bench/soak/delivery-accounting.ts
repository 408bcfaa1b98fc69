/** One post a load generator made. Times are CLOCK_MONOTONIC ms, shared by every process here. */
export interface PostRecord {
  /** Unique in the run: generator × 10⁹ + sequence; carried in the message's data as `p`. */
  readonly id: number;
  readonly room: string;
  readonly from: string;
  /** The addressee of an addressed message. */
  readonly to?: string;
  /** Node index the post went to. */
  readonly node: number;
  readonly sentAt: number;
  readonly answeredAt: number;
  /** `ok` when the node answered 200, else the error code (or `network`). */
  readonly outcome: string;
  /** The node's message id (from its answer). */
  readonly messageId?: string;
}

/** Why a member's stream ended. */
export type MemberEnd = 'churn' | 'closed-by-node' | 'stopped';

/** One member's life and what it received. */
export interface MemberRecord {
  readonly peerId: string;
  readonly room: string;
  readonly node: number;
  /** When its `welcome` was read. */
  readonly joinedAt: number;
  /** When its stream ended (we closed it, or the node did). */
  readonly leftAt?: number;
  readonly end?: MemberEnd;
  /** Post ids of the messages it read, in order. */
  readonly received: readonly number[];
}

/** How long before a post a member must have joined, and after it left, to be owed the post. */
export interface SettleRules {
  /**
   * A member that joined less than this before the post was sent is not owed it: a join on one
   * node and a post on another race (the room's interest may not have crossed the link yet).
   */
  readonly joinGraceMs: number;
  /** A member that left less than this after the post was answered is not owed it (in flight). */
  readonly leaveGraceMs: number;
}

/** One missing delivery, for the report. */
export interface LostDelivery {
  readonly post: number;
  readonly messageId?: string;
  readonly room: string;
  readonly addressed: boolean;
  readonly fromNode: number;
  readonly toNode: number;
  readonly member: string;
  readonly sentAt: number;
  /** When the sender joined (a sender that had just joined is the interesting case). */
  readonly senderJoinedAt?: number;
  readonly memberJoinedAt: number;
  readonly memberLeftAt?: number;
  readonly memberEnd?: MemberEnd;
}

/** The delivery tally of a run. */
export interface DeliveryTally {
  readonly posts: {
    readonly made: number;
    readonly accepted: number;
    readonly refused: Record<string, number>;
    readonly addressed: number;
  };
  /** Deliveries owed to members present from before the post until after it (see {@link SettleRules}). */
  readonly expected: number;
  readonly delivered: number;
  readonly lost: number;
  /** Of the lost: owed to members that stayed connected to the end (the ones that must be 0). */
  readonly lostToMembersThatStayed: number;
  /** Members at the edges of a post (joined or left around it): read or not, nothing was owed. */
  readonly boundary: { readonly delivered: number; readonly missed: number };
  /** A member read the same post twice. */
  readonly duplicates: number;
  /** A member read a post not meant for it: another room, addressed to someone else, its own. */
  readonly misdelivered: number;
  /** A member read a post no generator reported as accepted (e.g. its answer was lost). */
  readonly unknownPosts: number;
  /** Owed deliveries of cross-node posts (the post's node differs from the member's). */
  readonly crossNode: { readonly expected: number; readonly delivered: number };
  readonly lostExamples: readonly LostDelivery[];
}

/**
 * Reconciles what was posted with what every member read. A post is owed to every other member of
 * its room (an addressed post only to its addressee) that joined at least `joinGraceMs` before it
 * was sent and left at least `leaveGraceMs` after it was answered, or never left; anything owed
 * and not read is lost. Pure; the soak runs it once over all generators' records.
 */
export function tallyDeliveries(
  posts: readonly PostRecord[],
  members: readonly MemberRecord[],
  rules: SettleRules,
  maxExamples = 20,
): DeliveryTally {
  const byRoom = new Map<string, { member: MemberRecord; got: Set<number> }[]>();
  const byPeer = new Map<string, { member: MemberRecord; got: Set<number> }>();
  let duplicates = 0;
  for (const member of members) {
    const got = new Set<number>(member.received);
    duplicates += member.received.length - got.size;
    const entry = { member, got };
    let list = byRoom.get(member.room);
    if (list === undefined) byRoom.set(member.room, (list = []));
    list.push(entry);
    byPeer.set(member.peerId, entry);
  }
  const postsById = new Map<number, PostRecord>();
  const refused: Record<string, number> = {};
  let accepted = 0;
  let addressed = 0;
  for (const post of posts) {
    postsById.set(post.id, post);
    if (post.outcome === 'ok') accepted++;
    else refused[post.outcome] = (refused[post.outcome] ?? 0) + 1;
    if (post.to !== undefined) addressed++;
  }

  let expected = 0;
  let delivered = 0;
  let lostToStayed = 0;
  let boundaryDelivered = 0;
  let boundaryMissed = 0;
  let crossExpected = 0;
  let crossDelivered = 0;
  const lost: LostDelivery[] = [];
  let lostCount = 0;
  for (const post of posts) {
    if (post.outcome !== 'ok') continue;
    const candidates =
      post.to === undefined
        ? (byRoom.get(post.room) ?? []).filter(({ member }) => member.peerId !== post.from)
        : [byPeer.get(post.to)].filter((entry) => entry !== undefined);
    for (const { member, got } of candidates) {
      const read = got.has(post.id);
      if (member.leftAt !== undefined && member.leftAt < post.sentAt) {
        if (read) boundaryDelivered++;
        continue; // gone before the post: nothing owed, nothing expected
      }
      const settled =
        member.joinedAt <= post.sentAt - rules.joinGraceMs &&
        (member.leftAt === undefined || member.leftAt >= post.answeredAt + rules.leaveGraceMs);
      if (!settled) {
        if (read) boundaryDelivered++;
        else if (member.joinedAt <= post.answeredAt) boundaryMissed++;
        continue;
      }
      expected++;
      const cross = member.node !== post.node;
      if (cross) crossExpected++;
      if (read) {
        delivered++;
        if (cross) crossDelivered++;
        continue;
      }
      lostCount++;
      if (member.leftAt === undefined || member.end === 'stopped') lostToStayed++;
      if (lost.length < maxExamples)
        lost.push({
          post: post.id,
          ...(post.messageId === undefined ? {} : { messageId: post.messageId }),
          room: post.room,
          addressed: post.to !== undefined,
          fromNode: post.node,
          toNode: member.node,
          member: member.peerId,
          sentAt: post.sentAt,
          ...(byPeer.get(post.from) === undefined
            ? {}
            : { senderJoinedAt: byPeer.get(post.from)!.member.joinedAt }),
          memberJoinedAt: member.joinedAt,
          ...(member.leftAt === undefined ? {} : { memberLeftAt: member.leftAt }),
          ...(member.end === undefined ? {} : { memberEnd: member.end }),
        });
    }
  }

  let misdelivered = 0;
  let unknownPosts = 0;
  for (const { member, got } of byPeer.values()) {
    for (const id of got) {
      const post = postsById.get(id);
      if (post === undefined) unknownPosts++;
      else if (
        post.room !== member.room ||
        post.from === member.peerId ||
        (post.to !== undefined && post.to !== member.peerId)
      )
        misdelivered++;
    }
  }

  return {
    posts: { made: posts.length, accepted, refused, addressed },
    expected,
    delivered,
    lost: lostCount,
    lostToMembersThatStayed: lostToStayed,
    boundary: { delivered: boundaryDelivered, missed: boundaryMissed },
    duplicates,
    misdelivered,
    unknownPosts,
    crossNode: { expected: crossExpected, delivered: crossDelivered },
    lostExamples: lost,
  };
}
