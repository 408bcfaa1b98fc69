import { isPowScope, powScopes, type PowScope } from './pow-challenge.js';
import { decodeChallenge } from './pow-challenge.js';
import type { PowOffer } from './pow-token.js';
import { jsonDepthExceeds } from './json-depth.js';
import { isPeerId, protocolLimits, type PeerId } from './limits.js';
import { isRoomHash, type RoomHash } from './room-hash.js';
import type { InboxRole } from './inbox.js';
import { isRecord, parsed, rejected, type ParseResult } from './parse-result.js';

// Every JSON shape of the native HTTP API, with a parser from `unknown` for each one a client
// receives or a node accepts. docs/http-api.md shows each with an example.

/** `GET /` as JSON. */
export interface NodeInfo {
  readonly node: { readonly id: string; readonly version: string; readonly publicUrl: string };
  readonly pow: {
    /** Expected hashes per request for the asking client right now (at most the node's cap). */
    readonly price: number;
    /** Seconds a challenge stays valid. */
    readonly ttl: number;
    /** One fresh challenge per scope, priced for the asking client; absent while `refused`. */
    readonly challenges?: Readonly<Record<PowScope, string>>;
    /** Present while the node would refuse the asking client's paid requests (price over its cap). */
    readonly refused?: PowRefusal;
  };
  readonly load: { readonly cpu: number; readonly mem: number; readonly smoothed: number };
  readonly limits: { readonly maxMessageBytes: number };
  /**
   * What this node takes beyond the base API (absent on older nodes): `plain-post` — paid
   * POSTs in the plain form (plain-post.ts); `join-hello` — a first message carried in the join
   * (`GET /room/HASH?hello=`), and member ids derived from the join's token (join-member.ts);
   * `room-bound-posts` — a room post's proof may be bound to the room hash instead of its body,
   * so a member solves its next post's challenge before it knows what it will say.
   * Unknown names are ignored, so nodes can add features without breaking older clients.
   */
  readonly features?: readonly NodeFeature[];
  /** Discovery and mesh state (informative; clients need not read it). */
  readonly dht?: {
    readonly bootstrap: string;
    readonly bootstrapped: boolean;
    readonly routingTableSize: number;
  };
  readonly mesh?: { readonly links: number };
}

/** Optional parts of the API a node takes (see {@link NodeInfo.features}). */
export type NodeFeature = 'plain-post' | 'join-hello' | 'room-bound-posts';

/** Every feature this version of the protocol knows. */
export const nodeFeatures: readonly NodeFeature[] = [
  'plain-post',
  'join-hello',
  'room-bound-posts',
];

/**
 * Why a node refuses the asking client's paid requests right now (its price is over the node's
 * cap), and when they will be accepted again: `GET /` says so instead of quoting a challenge the
 * client could not use.
 */
export interface PowRefusal {
  /** `RATE_LIMITED`: this client's recent requests; `NODE_OVERLOADED`: the node's own load. */
  readonly code: 'RATE_LIMITED' | 'NODE_OVERLOADED';
  /** Seconds after which the same request is accepted (for the load: re-measured), ≥ 1. */
  readonly retryAfter: number;
}

/** One entry of `GET /nodes`: a node this node verified (signed descriptor and mesh handshake). */
export interface NodeListing {
  readonly id: string;
  readonly url: string;
  /** Its PoW price for a quiet client, from its latest signed descriptor. */
  readonly price: number;
  readonly version: string;
  /** When this node last completed a handshake with it, Unix ms. */
  readonly verifiedAt: number;
}

/** `GET /nodes` as JSON. */
export interface NodeList {
  readonly nodes: readonly NodeListing[];
}

/** Parses `GET /nodes` JSON from a node; drops malformed entries rather than failing the list. */
export function parseNodeList(value: unknown): ParseResult<NodeList> {
  if (!isRecord(value) || !Array.isArray(value.nodes))
    return rejected('BAD_REQUEST', 'not a node list');
  const nodes: NodeListing[] = [];
  for (const entry of value.nodes) {
    if (!isRecord(entry)) continue;
    const { id, url, price, version, verifiedAt } = entry;
    if (
      typeof id !== 'string' ||
      !/^[0-9a-f]{64}$/.test(id) ||
      typeof url !== 'string' ||
      !/^https?:\/\//.test(url)
    )
      continue;
    if (!isCount(price) || typeof version !== 'string' || !isCount(verifiedAt)) continue;
    nodes.push({ id, url, price, version, verifiedAt });
  }
  return parsed({ nodes });
}

/** `GET /ip` as JSON. */
export interface IpInfo {
  readonly ip: string;
}

/** First SSE event of a room stream (`event: welcome`). */
export interface WelcomeEvent {
  readonly peerId: PeerId;
  /** Binds this member's POSTs to this stream; send it as `Sigmesh-Session`. */
  readonly session: string;
  readonly room: RoomHash;
  readonly nodeId: string;
  /** Other members present at join time. */
  readonly members: readonly PeerId[];
  readonly heartbeatMs: number;
  /** A challenge for the first post, so the client can pre-solve it. */
  readonly pow: PowOffer;
  /**
   * The id of the message the node published from the join's `hello` parameter (present only
   * when the join carried one and it was published as this member's).
   */
  readonly hello?: string;
  /**
   * In an inbox only (a hash with the inbox prefix, inbox.ts): how this member is in it. An `owner` hears of every
   * member and message; a `guest` is told of nobody (`members` is empty, no presence events) and
   * receives only messages addressed to it.
   */
  readonly role?: InboxRole;
}

/**
 * `event: presence`: how the room's membership changed since this member's last presence event
 * (or its welcome), as net joins and leaves — or, for a member that fell too far behind, the whole
 * membership (`members`), which replaces what it knew.
 */
export type PresenceEvent =
  | { readonly join: readonly PeerId[]; readonly leave: readonly PeerId[] }
  | { readonly members: readonly PeerId[] };

/** `event: message`. */
export interface MessageEvent {
  /** 16 random bytes, hex: unique per message, used for dedupe. */
  readonly id: string;
  readonly from: PeerId;
  /** Present when the message was addressed to one peer. */
  readonly to?: PeerId;
  readonly data: unknown;
}

/** `event: heartbeat`. */
export interface HeartbeatEvent {
  readonly ts: number;
}

/** The body of `POST /room/HASH`. */
export interface RoomPost {
  readonly data: unknown;
  readonly to?: PeerId;
}

/** A successful `POST /room/HASH` answer. */
export interface PostResult {
  readonly id: string;
  /** Local members the message was queued to. */
  readonly delivered: number;
  /** The next challenge, so the client can pre-solve its next post. */
  readonly next: PowOffer;
}

/** SSE event names of a room stream. */
export const roomEventNames = ['welcome', 'presence', 'message', 'heartbeat', 'bye'] as const;
export type RoomEventName = (typeof roomEventNames)[number];

const MESSAGE_ID_PATTERN = /^[0-9a-f]{32}$/;

/** Parses a room post body (already JSON-decoded) from an untrusted client. */
export function parseRoomPost(value: unknown): ParseResult<RoomPost> {
  if (!isRecord(value)) return rejected('ROOM_MESSAGE_INVALID', 'the body must be a JSON object');
  for (const key of Object.keys(value)) {
    if (key !== 'data' && key !== 'to')
      return rejected('ROOM_MESSAGE_INVALID', `unknown field ${JSON.stringify(key.slice(0, 40))}`);
  }
  if (!('data' in value) || value.data === undefined)
    return rejected('ROOM_MESSAGE_INVALID', 'the body needs a "data" field');
  if (jsonDepthExceeds(value.data, protocolLimits.maxDataDepth))
    return rejected(
      'ROOM_MESSAGE_INVALID',
      `"data" nests deeper than ${protocolLimits.maxDataDepth} levels`,
    );
  if (value.to === undefined) return parsed({ data: value.data });
  if (!isPeerId(value.to))
    return rejected('ROOM_MESSAGE_INVALID', '"to" must be a peer id (32 lowercase hex characters)');
  return parsed({ data: value.data, to: value.to });
}

/** Parses a PoW offer from JSON. */
export function parsePowOffer(value: unknown): ParseResult<PowOffer> {
  if (!isRecord(value)) return rejected('BAD_REQUEST', 'a PoW offer must be an object');
  const { challenge, difficulty, scope } = value;
  if (typeof challenge !== 'string' || !decodeChallenge(challenge).ok)
    return rejected('POW_MALFORMED', 'bad challenge in offer');
  if (typeof difficulty !== 'number' || !Number.isSafeInteger(difficulty) || difficulty < 1) {
    return rejected('BAD_REQUEST', 'bad difficulty in offer');
  }
  if (!isPowScope(scope)) return rejected('BAD_REQUEST', 'bad scope in offer');
  return parsed({ challenge, difficulty, scope });
}

/** Parses `GET /` JSON from a node. */
export function parseNodeInfo(value: unknown): ParseResult<NodeInfo> {
  if (
    !isRecord(value) ||
    !isRecord(value.node) ||
    !isRecord(value.pow) ||
    !isRecord(value.load) ||
    !isRecord(value.limits)
  ) {
    return rejected('BAD_REQUEST', 'not a sigmesh node info document');
  }
  const { node, pow, load, limits } = value;
  if (
    typeof node.id !== 'string' ||
    typeof node.version !== 'string' ||
    typeof node.publicUrl !== 'string'
  ) {
    return rejected('BAD_REQUEST', 'bad node section');
  }
  if (!isCount(pow.price) || !isCount(pow.ttl)) return rejected('BAD_REQUEST', 'bad pow section');
  const refused = parsePowRefusal(pow.refused);
  if (refused === 'invalid') return rejected('BAD_REQUEST', 'bad pow refusal');
  let challenges: Partial<Record<PowScope, string>> | undefined;
  if (refused === undefined) {
    if (!isRecord(pow.challenges)) return rejected('BAD_REQUEST', 'bad pow section');
    challenges = {};
    for (const scope of powScopes) {
      const text = pow.challenges[scope];
      if (typeof text !== 'string' || !decodeChallenge(text).ok)
        return rejected('BAD_REQUEST', `bad ${scope} challenge`);
      challenges[scope] = text;
    }
  }
  if (!isFraction(load.cpu) || !isFraction(load.mem) || !isFraction(load.smoothed))
    return rejected('BAD_REQUEST', 'bad load section');
  if (!isCount(limits.maxMessageBytes)) return rejected('BAD_REQUEST', 'bad limits section');
  return parsed({
    node: { id: node.id, version: node.version, publicUrl: node.publicUrl },
    pow: {
      price: pow.price,
      ttl: pow.ttl,
      ...(refused === undefined
        ? { challenges: challenges as Record<PowScope, string> }
        : { refused }),
    },
    load: { cpu: load.cpu, mem: load.mem, smoothed: load.smoothed },
    limits: { maxMessageBytes: limits.maxMessageBytes },
    ...(Array.isArray(value.features)
      ? {
          features: nodeFeatures.filter((feature) =>
            (value.features as unknown[]).includes(feature),
          ),
        }
      : {}),
  });
}

/** A `refused` section: absent, valid, or 'invalid'. */
function parsePowRefusal(value: unknown): PowRefusal | undefined | 'invalid' {
  if (value === undefined) return undefined;
  if (!isRecord(value)) return 'invalid';
  const { code, retryAfter } = value;
  if ((code !== 'RATE_LIMITED' && code !== 'NODE_OVERLOADED') || !isCount(retryAfter))
    return 'invalid';
  if (retryAfter < 1) return 'invalid';
  return { code, retryAfter };
}

/** Parses the data of a `welcome` event. */
export function parseWelcomeEvent(value: unknown): ParseResult<WelcomeEvent> {
  if (!isRecord(value)) return rejected('BAD_REQUEST', 'welcome must be an object');
  const { peerId, session, room, nodeId, members, heartbeatMs } = value;
  if (
    !isPeerId(peerId) ||
    typeof session !== 'string' ||
    !isRoomHash(room) ||
    typeof nodeId !== 'string'
  ) {
    return rejected('BAD_REQUEST', 'bad welcome identity fields');
  }
  if (!Array.isArray(members) || !members.every(isPeerId) || !isCount(heartbeatMs)) {
    return rejected('BAD_REQUEST', 'bad welcome members or heartbeat');
  }
  const pow = parsePowOffer(value.pow);
  if (!pow.ok) return pow;
  const { hello, role } = value;
  if (hello !== undefined && typeof hello !== 'string')
    return rejected('BAD_REQUEST', 'bad welcome hello id');
  if (role !== undefined && role !== 'owner' && role !== 'guest')
    return rejected('BAD_REQUEST', 'bad welcome role');
  return parsed({
    peerId,
    session,
    room,
    nodeId,
    members,
    heartbeatMs,
    pow: pow.value,
    ...(hello === undefined ? {} : { hello }),
    ...(role === undefined ? {} : { role }),
  });
}

/** Parses the data of a `presence` event. */
export function parsePresenceEvent(value: unknown): ParseResult<PresenceEvent> {
  if (!isRecord(value)) return rejected('BAD_REQUEST', 'presence must be an object');
  const isPeerList = (list: unknown): list is PeerId[] =>
    Array.isArray(list) && list.every(isPeerId);
  if ('members' in value) {
    return isPeerList(value.members)
      ? parsed({ members: value.members })
      : rejected('BAD_REQUEST', 'presence members must be peer ids');
  }
  if (!isPeerList(value.join) || !isPeerList(value.leave))
    return rejected('BAD_REQUEST', 'presence needs join and leave lists of peer ids');
  return parsed({ join: value.join, leave: value.leave });
}

/** Applies a presence event to a member set (what a client's view of the room becomes). */
export function applyPresence(members: Set<PeerId>, event: PresenceEvent): void {
  if ('members' in event) {
    members.clear();
    for (const peer of event.members) members.add(peer);
    return;
  }
  for (const peer of event.leave) members.delete(peer);
  for (const peer of event.join) members.add(peer);
}

/** Parses the data of a `message` event. */
export function parseMessageEvent(value: unknown): ParseResult<MessageEvent> {
  if (
    !isRecord(value) ||
    typeof value.id !== 'string' ||
    !MESSAGE_ID_PATTERN.test(value.id) ||
    !isPeerId(value.from)
  ) {
    return rejected('BAD_REQUEST', 'a message needs an id and a sender');
  }
  if (!('data' in value)) return rejected('BAD_REQUEST', 'a message needs data');
  if (value.to === undefined) return parsed({ id: value.id, from: value.from, data: value.data });
  if (!isPeerId(value.to)) return rejected('BAD_REQUEST', 'bad recipient');
  return parsed({ id: value.id, from: value.from, to: value.to, data: value.data });
}

/** Parses a successful post answer. */
export function parsePostResult(value: unknown): ParseResult<PostResult> {
  if (!isRecord(value) || typeof value.id !== 'string' || !isCount(value.delivered)) {
    return rejected('BAD_REQUEST', 'bad post result');
  }
  const next = parsePowOffer(value.next);
  if (!next.ok) return next;
  return parsed({ id: value.id, delivered: value.delivered, next: next.value });
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isFraction(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= 1;
}
