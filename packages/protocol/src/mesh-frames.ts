import { jsonDepthExceeds } from './json-depth.js';
import { isPeerId, protocolLimits, type PeerId } from './limits.js';
import { isRoomHash, type RoomHash } from './room-hash.js';
import { isRecord, parsed, rejected, type ParseResult } from './parse-result.js';

/**
 * Frames of the node-to-node mesh link (`/mesh`, WebSocket, one JSON object per text frame),
 * protocol version 2 (docs/protocol.md § Mesh). A link opens with `hello` both ways, then `auth`
 * both ways: each side signs the transcript of both nonces and both ids with its ed25519 key, and
 * a dialing node also pays the accepting node's admission proof-of-work. Then:
 *
 * - `interest` exchanges *blinded* room tokens (HMAC under a per-link key), so each side learns
 *   only the rooms it has members in too.
 * - Each node *owns* its members. It announces them per room as a `roster` (a snapshot) or a
 *   `delta`, versioned and signed over the digest of the resulting member set, so any node can
 *   pass them on and nobody but the owner can change them.
 * - An owner proves it is alive with `beats`: the values of a hash chain whose end it signed in an
 *   `anchor`. Checking a beat costs one SHA-256; forging the next one means inverting SHA-256. An
 *   owner whose beats stop arriving is gone, with all its members, wherever it was.
 * - `withdraw` tells a neighbour that the sender no longer reaches an owner; `want` asks for an
 *   owner's anchor and rosters; `message` carries room messages.
 */
export type MeshFrame =
  | HelloFrame
  | AuthFrame
  | InterestFrame
  | AnchorFrame
  | BeatsFrame
  | WithdrawFrame
  | RosterFrame
  | DeltaFrame
  | WantFrame
  | RelayFrame;

/** First frame of each side. `node` is the hex ed25519 public key; `nonce` 32 random bytes, base64url. */
export interface HelloFrame {
  readonly t: 'hello';
  readonly node: string;
  readonly nonce: string;
  readonly url: string;
  readonly version: string;
  /** Mesh protocol version ({@link MESH_PROTOCOL_VERSION}). */
  readonly proto: number;
  /** Admission price the other side must pay in its `auth` (expected hashes; 0: none). */
  readonly admit: number;
}

/** Signature over the transcript, base64url, and the admission proof when one was asked for. */
export interface AuthFrame {
  readonly t: 'auth';
  readonly sig: string;
  readonly work?: number;
}

/** Blinded tokens of rooms the sender now has local members in (`add`) or no longer has. */
export interface InterestFrame {
  readonly t: 'interest';
  readonly add: readonly string[];
  readonly remove: readonly string[];
}

/** The signed start of an owner's beat chain: `root` is the chain's end, H^length(seed). */
export interface AnchorFrame {
  readonly t: 'anchor';
  readonly owner: string;
  /** 8 random bytes, hex, fresh at every start of the owner: its rosters belong to one epoch. */
  readonly epoch: string;
  /** When the epoch started (Unix ms): a later epoch replaces an earlier one. */
  readonly started: number;
  /** Chain number within the epoch: a long-running owner starts chain 1, 2, … */
  readonly chain: number;
  readonly root: string;
  readonly length: number;
  /** Milliseconds between beats. */
  readonly interval: number;
  readonly sig: string;
}

/** One beat: chain value `i`, with H(h_i) = h_(i−1) and h_0 the anchor's root. */
export interface Beat {
  readonly owner: string;
  readonly epoch: string;
  readonly chain: number;
  readonly i: number;
  readonly h: string;
}

/** Beats of one or more owners, batched per link. */
export interface BeatsFrame {
  readonly t: 'beats';
  readonly beats: readonly Beat[];
}

/** The sender no longer reaches these owners (it affects only routes through the sender). */
export interface WithdrawFrame {
  readonly t: 'withdraw';
  readonly owners: readonly string[];
}

/** An owner's members in a room at version `ver` (a snapshot, possibly in parts). */
export interface RosterFrame {
  readonly t: 'roster';
  readonly room: RoomHash;
  readonly owner: string;
  readonly epoch: string;
  readonly ver: number;
  readonly members: readonly PeerId[];
  /** This frame's part and the number of parts (a large roster spans several frames). */
  readonly part: number;
  readonly parts: number;
  /** The owner's signature over the whole roster's digest at `ver`. */
  readonly sig: string;
}

/** A change of an owner's members in a room, from version `base` to `ver`. */
export interface DeltaFrame {
  readonly t: 'delta';
  readonly room: RoomHash;
  readonly owner: string;
  readonly epoch: string;
  readonly base: number;
  readonly ver: number;
  readonly add: readonly PeerId[];
  readonly remove: readonly PeerId[];
  /** The owner's signature over the digest of the member set at `ver`. */
  readonly sig: string;
}

/** Asks the other side for an owner's anchor, latest beat and rosters (of `room`, or all shared). */
export interface WantFrame {
  readonly t: 'want';
  readonly owner: string;
  readonly room?: RoomHash;
}

/** A room message, flooded to the room's nodes (or routed toward `to`). */
export interface RelayFrame {
  readonly t: 'message';
  readonly id: string;
  readonly room: RoomHash;
  readonly from: PeerId;
  readonly to?: PeerId;
  readonly data: unknown;
  readonly hops: number;
}

const NODE_ID = /^[0-9a-f]{64}$/;
const NONCE = /^[A-Za-z0-9_-]{43}$/;
const SIG = /^[A-Za-z0-9_-]{86}$/;
const HASH32 = /^[A-Za-z0-9_-]{43}$/;
const TOKEN = /^[A-Za-z0-9_-]{22}$/;
const EPOCH = /^[0-9a-f]{16}$/;
const FRAME_ID = /^[0-9a-f]{32}$/;
/** Room tokens in one interest frame (a node with more sends several). */
export const MESH_MAX_ROOMS_PER_FRAME = 256;
/** Peers in one roster or delta frame. */
export const MESH_MAX_PEERS_PER_FRAME = 1024;
/** Beats or owners in one beats or withdraw frame. */
export const MESH_MAX_OWNERS_PER_FRAME = 256;
/** Most hops a flooded frame may still travel. */
export const MESH_MAX_HOPS = 16;
/** Longest beat chain an anchor may announce (checking a beat costs up to this many hashes). */
export const MESH_MAX_CHAIN_LENGTH = 4096;

/** True for a node id: 64 lowercase hex characters (a raw ed25519 public key). */
export function isNodeId(value: unknown): value is string {
  return typeof value === 'string' && NODE_ID.test(value);
}

type FrameParser = (value: Record<string, unknown>) => MeshFrame | string;

const parsers: { [T in MeshFrame['t']]: FrameParser } = {
  hello: ({ node, nonce, url, version, proto, admit }) =>
    isNodeId(node) &&
    isText(nonce, NONCE) &&
    typeof url === 'string' &&
    url.length <= 512 &&
    typeof version === 'string' &&
    version.length <= 64 &&
    isInt(proto, 0, 1000) &&
    isInt(admit, 0, 0xffff_ffff)
      ? { t: 'hello', node, nonce, url, version, proto, admit }
      : 'bad hello',
  auth: ({ sig, work }) =>
    !isText(sig, SIG)
      ? 'bad auth'
      : work === undefined
        ? { t: 'auth', sig }
        : isInt(work, 0, Number.MAX_SAFE_INTEGER)
          ? { t: 'auth', sig, work }
          : 'bad admission work',
  interest: ({ add, remove }) =>
    isList(add, MESH_MAX_ROOMS_PER_FRAME, (x) => isText(x, TOKEN)) &&
    isList(remove, MESH_MAX_ROOMS_PER_FRAME, (x) => isText(x, TOKEN))
      ? { t: 'interest', add, remove }
      : 'bad interest',
  anchor: ({ owner, epoch, started, chain, root, length, interval, sig }) =>
    isNodeId(owner) &&
    isText(epoch, EPOCH) &&
    isInt(started, 0, Number.MAX_SAFE_INTEGER) &&
    isInt(chain, 0, 0x7fff_ffff) &&
    isText(root, HASH32) &&
    isInt(length, 1, MESH_MAX_CHAIN_LENGTH) &&
    isInt(interval, 100, 60_000) &&
    isText(sig, SIG)
      ? { t: 'anchor', owner, epoch, started, chain, root, length, interval, sig }
      : 'bad anchor',
  beats: ({ beats }) =>
    isList(beats, MESH_MAX_OWNERS_PER_FRAME, isBeat)
      ? {
          t: 'beats',
          beats: beats.map(({ owner, epoch, chain, i, h }) => ({ owner, epoch, chain, i, h })),
        }
      : 'bad beats',
  withdraw: ({ owners }) =>
    isList(owners, MESH_MAX_OWNERS_PER_FRAME, isNodeId)
      ? { t: 'withdraw', owners }
      : 'bad withdraw',
  roster: ({ room, owner, epoch, ver, members, part, parts, sig }) =>
    isRoomHash(room) &&
    isNodeId(owner) &&
    isText(epoch, EPOCH) &&
    isVersion(ver) &&
    isList(members, MESH_MAX_PEERS_PER_FRAME, isPeerId) &&
    isInt(parts, 1, 10_000) &&
    isInt(part, 0, parts - 1) &&
    isText(sig, SIG)
      ? { t: 'roster', room, owner, epoch, ver, members, part, parts, sig }
      : 'bad roster',
  delta: ({ room, owner, epoch, base, ver, add, remove, sig }) =>
    isRoomHash(room) &&
    isNodeId(owner) &&
    isText(epoch, EPOCH) &&
    isVersion(base) &&
    isVersion(ver) &&
    ver > base &&
    isList(add, MESH_MAX_PEERS_PER_FRAME, isPeerId) &&
    isList(remove, MESH_MAX_PEERS_PER_FRAME, isPeerId) &&
    isText(sig, SIG)
      ? { t: 'delta', room, owner, epoch, base, ver, add, remove, sig }
      : 'bad delta',
  want: ({ owner, room }) =>
    !isNodeId(owner)
      ? 'bad want'
      : room === undefined
        ? { t: 'want', owner }
        : isRoomHash(room)
          ? { t: 'want', owner, room }
          : 'bad want room',
  message: (value) => {
    const { id, room, from, to, hops } = value;
    if (!isText(id, FRAME_ID) || !isRoomHash(room) || !isPeerId(from) || !isHops(hops))
      return 'bad message';
    if (!('data' in value) || jsonDepthExceeds(value.data, protocolLimits.maxDataDepth))
      return 'bad message data';
    if (to === undefined) return { t: 'message', id, room, from, data: value.data, hops };
    return isPeerId(to)
      ? { t: 'message', id, room, from, to, data: value.data, hops }
      : 'bad message recipient';
  },
};

/** Parses one mesh frame from an untrusted node. */
export function parseMeshFrame(value: unknown): ParseResult<MeshFrame> {
  if (!isRecord(value)) return bad('a frame is a JSON object');
  const type = value.t;
  if (typeof type !== 'string' || !Object.hasOwn(parsers, type)) return bad('unknown frame type');
  const result = parsers[type as MeshFrame['t']](value);
  return typeof result === 'string' ? bad(result) : parsed(result);
}

function bad(message: string): ParseResult<never> {
  return rejected('MESH_FRAME_INVALID', message);
}

function isText(value: unknown, pattern: RegExp): value is string {
  return typeof value === 'string' && pattern.test(value);
}

function isInt(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function isVersion(value: unknown): value is number {
  return isInt(value, 0, Number.MAX_SAFE_INTEGER);
}

function isHops(value: unknown): value is number {
  return isInt(value, 0, MESH_MAX_HOPS);
}

function isList<T>(value: unknown, max: number, item: (x: unknown) => x is T): value is T[] {
  return Array.isArray(value) && value.length <= max && value.every(item);
}

function isBeat(value: unknown): value is Beat {
  if (!isRecord(value)) return false;
  const { owner, epoch, chain, i, h } = value;
  return (
    isNodeId(owner) &&
    isText(epoch, EPOCH) &&
    isInt(chain, 0, 0x7fff_ffff) &&
    isInt(i, 1, MESH_MAX_CHAIN_LENGTH) &&
    isText(h, HASH32)
  );
}
