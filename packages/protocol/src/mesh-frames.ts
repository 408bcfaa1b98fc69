import { isPeerId, type PeerId } from './limits.js';
import { isRoomHash, type RoomHash } from './room-hash.js';
import { isRecord, parsed, rejected, type ParseResult } from './parse-result.js';

/**
 * Frames of the node-to-node mesh link (`/mesh`, WebSocket, one JSON object per text frame).
 * The link opens with `hello` both ways, then `auth` both ways: each side signs the transcript
 * of both nonces and both ids with its ed25519 key, so each proves it holds the key its id names
 * and neither signature can be replayed on another link. Only then do room frames flow.
 */
export type MeshFrame =
  HelloFrame | AuthFrame | InterestFrame | MembersFrame | PresenceFrame | RelayFrame;

/** First frame of each side. `node` is the hex ed25519 public key; `nonce` 32 random bytes, base64url. */
export interface HelloFrame {
  readonly t: 'hello';
  readonly node: string;
  readonly nonce: string;
  readonly url: string;
  readonly version: string;
}

/** Signature over {@link meshTranscript}, base64url. */
export interface AuthFrame {
  readonly t: 'auth';
  readonly sig: string;
}

/** Rooms the sender now has local members in (`add`) or no longer has (`remove`). */
export interface InterestFrame {
  readonly t: 'interest';
  readonly add: readonly RoomHash[];
  readonly remove: readonly RoomHash[];
}

/** The peers the sender can reach in a room (sent when the other side declares interest). */
export interface MembersFrame {
  readonly t: 'members';
  readonly room: RoomHash;
  readonly peers: readonly PeerId[];
}

/** A peer joined or left a room somewhere in the mesh. Flooded like messages. */
export interface PresenceFrame {
  readonly t: 'presence';
  readonly id: string;
  readonly room: RoomHash;
  readonly peer: PeerId;
  readonly joined: boolean;
  readonly hops: number;
}

/** A room message, flooded to interested nodes (or routed toward `to`). */
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
const FRAME_ID = /^[0-9a-f]{32}$/;
/** Rooms in one interest frame (a node with more sends several). */
export const MESH_MAX_ROOMS_PER_FRAME = 256;
/** Peers in one members frame. */
export const MESH_MAX_PEERS_PER_FRAME = 1024;
/** Most hops a flooded frame may still travel. */
export const MESH_MAX_HOPS = 16;

/** The bytes each side signs: context, then the other's nonce, own nonce, own id, other's id. */
export function meshTranscript(
  theirNonce: string,
  myNonce: string,
  myId: string,
  theirId: string,
): string {
  return `sigmesh-mesh-v1\n${theirNonce}\n${myNonce}\n${myId}\n${theirId}`;
}

/** True for a node id: 64 lowercase hex characters (a raw ed25519 public key). */
export function isNodeId(value: unknown): value is string {
  return typeof value === 'string' && NODE_ID.test(value);
}

/** Parses one mesh frame from an untrusted node. */
export function parseMeshFrame(value: unknown): ParseResult<MeshFrame> {
  if (!isRecord(value)) return bad('a frame is a JSON object');
  switch (value.t) {
    case 'hello':
      if (!isNodeId(value.node) || typeof value.nonce !== 'string' || !NONCE.test(value.nonce))
        return bad('bad hello');
      if (
        typeof value.url !== 'string' ||
        value.url.length > 512 ||
        typeof value.version !== 'string' ||
        value.version.length > 64
      ) {
        return bad('bad hello url or version');
      }
      return parsed({
        t: 'hello',
        node: value.node,
        nonce: value.nonce,
        url: value.url,
        version: value.version,
      });
    case 'auth':
      return typeof value.sig === 'string' && SIG.test(value.sig)
        ? parsed({ t: 'auth', sig: value.sig })
        : bad('bad auth');
    case 'interest': {
      const { add, remove } = value;
      if (!roomList(add) || !roomList(remove)) return bad('bad interest');
      return parsed({ t: 'interest', add, remove });
    }
    case 'members': {
      const { room, peers } = value;
      if (
        !isRoomHash(room) ||
        !Array.isArray(peers) ||
        peers.length > MESH_MAX_PEERS_PER_FRAME ||
        !peers.every(isPeerId)
      ) {
        return bad('bad members');
      }
      return parsed({ t: 'members', room, peers });
    }
    case 'presence': {
      const { id, room, peer, joined, hops } = value;
      if (
        !isFrameId(id) ||
        !isRoomHash(room) ||
        !isPeerId(peer) ||
        typeof joined !== 'boolean' ||
        !isHops(hops)
      )
        return bad('bad presence');
      return parsed({ t: 'presence', id, room, peer, joined, hops });
    }
    case 'message': {
      const { id, room, from, to, hops } = value;
      if (
        !isFrameId(id) ||
        !isRoomHash(room) ||
        !isPeerId(from) ||
        !isHops(hops) ||
        !('data' in value)
      )
        return bad('bad message');
      if (to !== undefined && !isPeerId(to)) return bad('bad message recipient');
      return parsed(
        to === undefined
          ? { t: 'message', id, room, from, data: value.data, hops }
          : { t: 'message', id, room, from, to, data: value.data, hops },
      );
    }
    default:
      return bad('unknown frame type');
  }
}

function bad(message: string): ParseResult<never> {
  return rejected('MESH_FRAME_INVALID', message);
}

function roomList(value: unknown): value is RoomHash[] {
  return (
    Array.isArray(value) && value.length <= MESH_MAX_ROOMS_PER_FRAME && value.every(isRoomHash)
  );
}

function isFrameId(value: unknown): value is string {
  return typeof value === 'string' && FRAME_ID.test(value);
}

function isHops(value: unknown): value is number {
  return (
    typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MESH_MAX_HOPS
  );
}
