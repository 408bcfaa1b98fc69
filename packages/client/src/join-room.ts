import { clientSignalLimits, deriveRoomHash, sigmeshError } from '@sigmesh/protocol';
import { hasTurn } from './ice-servers.js';
import { NodeMemory, type NodeStorage } from './nodes/node-memory.js';
import { NodePool } from './nodes/node-pool.js';
import type { PeerConnectionFactory } from './peers/peer.js';
import { createPowSolver, type PowSolver } from './pow/pow-solver.js';
import { Room } from './room.js';
import { Identity } from './identity/identity.js';
import { ClientIdentity } from './signaling/client-identity.js';
import { IdentityHellos } from './signaling/identity-hellos.js';
import { fragmentDefaults } from './signaling/fragments.js';
import { payloadCodecDefaults, type PayloadCodecOptions } from './signaling/payload-codec.js';
import { RoomKey } from './signaling/room-key.js';
import { RoomSignaling } from './signaling/room-signaling.js';

/** Options of {@link joinRoom}. Only `appId`, `room` and `nodes` are required. */
export interface JoinRoomOptions {
  /** Your application's name: rooms of different apps never meet. */
  readonly appId: string;
  /** The room name; the room hash nodes see is derived from appId and room. */
  readonly room: string;
  /** Node URLs to start from (more are learned from their `/nodes` and remembered). */
  readonly nodes: readonly string[];
  /**
   * A lasting identity ({@link loadOrCreateIdentity}): hellos are signed with its Ed25519 key, so
   * `room.selfId` is `identity.id` and peers see its public key and fingerprint. Default: a P-256
   * key made for this join. One identity should be in a room once at a time: two joins of the
   * same identity in one room (two tabs) look like one client to the others.
   */
  readonly identity?: Identity;
  /** Encrypts and authenticates every signaling payload end to end (AES-GCM, PBKDF2 key). */
  readonly password?: string;
  /** ICE servers to use besides the STUN/TURN servers of the joined nodes. */
  readonly iceServers?: readonly RTCIceServer[];
  /** `'relay'` forces every connection through TURN. Default `'all'`. */
  readonly iceTransportPolicy?: RTCIceTransportPolicy;
  /** How many nodes to join at once (redundancy). Default 2. */
  readonly k?: number;
  /** Ask the joined nodes for TURN credentials (`POST /token`). Default true. */
  readonly turn?: boolean;
  /** The most proof-of-work (expected hashes) to pay per request. Default 4,194,304. */
  readonly maxPowDifficulty?: number;
  /** How long a node may take to answer a probe. Default 3000 ms. */
  readonly probeTimeoutMs?: number;
  /** How long joining one node may take (PoW included). Default 15000 ms. */
  readonly joinTimeoutMs?: number;
  /** Where known nodes are remembered. Default localStorage in browsers, memory elsewhere. */
  readonly storage?: NodeStorage;
  /** WebRTC outside browsers, e.g. `{ RTCPeerConnection }` from werift. */
  readonly rtc?: { readonly RTCPeerConnection: unknown };
  /** Extra RTCConfiguration fields for every connection (e.g. werift's `iceAdditionalHostAddresses`). */
  readonly rtcConfiguration?: Readonly<Record<string, unknown>>;
  /**
   * With a password: how far a sealed payload's send time may be from this client's clock, either
   * way, before it is refused as stale. Copies within it are refused by their IV. Default 120,000 ms.
   */
  readonly replayWindowMs?: number;
  /** Sealed payloads remembered (those opened within the window); beyond, new ones are refused. Default 16,384. */
  readonly replayCacheSize?: number;
  /** Members whose split payloads may be in progress at once; beyond, the oldest is dropped. Default 64. */
  readonly maxFragmentSenders?: number;
  /** Characters of split payloads buffered in all; beyond, the oldest are dropped. Default 2,097,152. */
  readonly maxBufferedFragmentChars?: number;
}

export const joinRoomDefaults = {
  k: 2,
  maxPowDifficulty: 1 << 22,
  probeTimeoutMs: 3000,
  joinTimeoutMs: 15_000,
  maxProbes: 8,
  replayWindowMs: payloadCodecDefaults.replayWindowMs,
  replayCacheSize: payloadCodecDefaults.replayCacheSize,
  maxFragmentSenders: fragmentDefaults.maxSenders,
  maxBufferedFragmentChars: fragmentDefaults.maxBufferedChars,
} as const;

let warnedUnencrypted = false;

/**
 * Joins a room through k nodes and resolves once at least one node accepted the client and the
 * nodes' TURN credentials are in. Peers then connect by themselves: listen for `peer-join`.
 * Rejects with a SigmeshError: NO_NODE_REACHABLE (no node answered), JOIN_REFUSED (nodes
 * answered but none let us in within joinTimeoutMs; `retryAfter` says when one would),
 * POW_TOO_EXPENSIVE, ROOM_FULL, TURN_UNAVAILABLE (relay-only without a TURN server),
 * CLIENT_OPTIONS_INVALID or WEBRTC_UNAVAILABLE.
 */
export async function joinRoom(options: JoinRoomOptions): Promise<Room> {
  checkOptions(options);
  // PBKDF2's 600,000 iterations take a noticeable time: the key is derived while the nodes are
  // probed and joined (nothing before the first hello is sealed), not before.
  const key =
    options.password === undefined
      ? undefined
      : RoomKey.derive(options.password, options.appId, options.room);
  return joinKeyedRoom(options, key);
}

/**
 * {@link joinRoom} with the room's key given (or none): for rooms whose key is not a password's
 * (a call's, derived from its secret), and which may still be on its way while the join goes on.
 */
export async function joinKeyedRoom(
  options: Omit<JoinRoomOptions, 'password'>,
  key: Promise<RoomKey> | undefined,
  shared: {
    /** Makes the solver to use (the room closes it when it leaves: a reference, see SharedSolver). */
    readonly solver?: () => PowSolver;
    /** Told the room as soon as it exists, before any node is joined (e.g. to add streams). */
    readonly created?: (room: Room) => void;
  } = {},
): Promise<Room> {
  key?.catch(() => undefined);
  const checked = checkOptions(options);
  if (key === undefined && !warnedUnencrypted) {
    warnedUnencrypted = true;
    console.warn(
      'sigmesh: this room has no password, so the nodes relaying its signaling can read and alter it (SDP, DTLS fingerprints). Pass `password` for end-to-end protection.',
    );
  }
  // The PoW worker starts and the configured nodes are probed while the identity key is made. A
  // shared solver (a person's, for its calls) is already warm.
  const solver = (shared.solver ?? createPowSolver)();
  let identity: ClientIdentity | IdentityHellos;
  let pool: NodePool;
  try {
    pool = nodePoolFor(options, solver);
    pool.prefetch();
    identity =
      options.identity === undefined
        ? await ClientIdentity.create()
        : new IdentityHellos(options.identity);
  } catch (error) {
    solver.close();
    throw error;
  }
  const hash = deriveRoomHash(options.appId, options.room);
  const maxPowDifficulty = options.maxPowDifficulty ?? joinRoomDefaults.maxPowDifficulty;
  const room = new Room({
    hash,
    selfId: identity.id,
    encrypted: key !== undefined,
    solver,
    RTCPeerConnection: checked.RTCPeerConnection,
    configuration: {
      ...options.rtcConfiguration,
      iceTransportPolicy: options.iceTransportPolicy ?? 'all',
    },
    extraIceServers: options.iceServers ?? [],
    fetchTurn: options.turn ?? true,
    tokenTimeoutMs: options.joinTimeoutMs ?? joinRoomDefaults.joinTimeoutMs,
  });
  shared.created?.(room);
  const joined: Array<Promise<void>> = [];
  let starting = true;
  const signaling = new RoomSignaling({
    room: hash,
    identity,
    key,
    pool,
    solver,
    k: checked.k,
    joinTimeoutMs: options.joinTimeoutMs ?? joinRoomDefaults.joinTimeoutMs,
    maxPowDifficulty,
    payloads: checked.payloads,
    handlers: {
      ...room.signalingHandlers(),
      joined: (session) => {
        const fetched = room.addNodeIce(session);
        // joinRoom resolves once the first nodes' TURN credentials are in.
        if (starting) joined.push(fetched);
        return fetched;
      },
    },
  });
  room.attach(signaling);
  const started = (async () => {
    await signaling.start();
    await Promise.all(joined);
  })();
  try {
    await Promise.all([started, key]);
  } catch (error) {
    room.leave();
    throw error;
  } finally {
    starting = false;
  }
  if (options.iceTransportPolicy === 'relay' && !hasTurn(room.iceServers)) {
    room.leave();
    const why = room.iceFailures();
    throw sigmeshError(
      'TURN_UNAVAILABLE',
      `relay-only ICE was asked for, but no joined node handed out a TURN server${why.length > 0 ? ` (${why.join('; ')})` : ''}`,
    );
  }
  room.markReady();
  return room;
}

/** The node pool a client with these options chooses its nodes from. */
export function nodePoolFor(
  options: Pick<JoinRoomOptions, 'nodes' | 'storage' | 'probeTimeoutMs' | 'maxPowDifficulty'>,
  solver: PowSolver,
): NodePool {
  return new NodePool({
    nodes: options.nodes,
    memory: new NodeMemory(options.storage),
    solver,
    probeTimeoutMs: options.probeTimeoutMs ?? joinRoomDefaults.probeTimeoutMs,
    maxProbes: joinRoomDefaults.maxProbes,
    maxPowDifficulty: options.maxPowDifficulty ?? joinRoomDefaults.maxPowDifficulty,
  });
}

/** Throws CLIENT_OPTIONS_INVALID or WEBRTC_UNAVAILABLE for options no join could use. */
export function checkOptions(options: JoinRoomOptions): {
  k: number;
  RTCPeerConnection: PeerConnectionFactory;
  payloads: PayloadCodecOptions;
} {
  const invalid = (message: string): never => {
    throw sigmeshError('CLIENT_OPTIONS_INVALID', message);
  };
  if (typeof options.appId !== 'string' || options.appId.length === 0 || options.appId.length > 256)
    invalid('appId must be a string of 1 to 256 characters');
  if (typeof options.room !== 'string' || options.room.length === 0 || options.room.length > 1024)
    invalid('room must be a string of 1 to 1024 characters');
  if (!Array.isArray(options.nodes)) invalid('nodes must be an array of node URLs');
  if (options.identity !== undefined && !(options.identity instanceof Identity))
    invalid('identity must be an Identity (from loadOrCreateIdentity or importIdentity)');
  if (
    options.password !== undefined &&
    (typeof options.password !== 'string' || options.password === '')
  )
    invalid('password must be a non-empty string');
  const k = options.k ?? joinRoomDefaults.k;
  if (!Number.isInteger(k) || k < 1 || k > 8) invalid('k must be an integer from 1 to 8');
  const payloads: PayloadCodecOptions = {
    replayWindowMs: integerOption(options, 'replayWindowMs', 1000, 86_400_000, invalid),
    replayCacheSize: integerOption(options, 'replayCacheSize', 64, 1 << 20, invalid),
    maxFragmentSenders: integerOption(options, 'maxFragmentSenders', 1, 4096, invalid),
    // At least one payload of the largest size a member may send (two sealed boxes' worth).
    maxBufferedFragmentChars: integerOption(
      options,
      'maxBufferedFragmentChars',
      clientSignalLimits.maxSealedChars * 2,
      1 << 28,
      invalid,
    ),
  };
  const factory =
    options.rtc?.RTCPeerConnection ??
    (globalThis as { RTCPeerConnection?: unknown }).RTCPeerConnection;
  if (typeof factory !== 'function')
    throw sigmeshError(
      'WEBRTC_UNAVAILABLE',
      'no RTCPeerConnection here: pass one with the rtc option',
    );
  return { k, RTCPeerConnection: factory as PeerConnectionFactory, payloads };
}

/** An integer option within [min, max], or its default. */
function integerOption(
  options: JoinRoomOptions,
  name: 'replayWindowMs' | 'replayCacheSize' | 'maxFragmentSenders' | 'maxBufferedFragmentChars',
  min: number,
  max: number,
  invalid: (message: string) => never,
): number {
  const value = options[name] ?? joinRoomDefaults[name];
  if (!Number.isInteger(value) || value < min || value > max)
    invalid(`${name} must be an integer from ${min} to ${max}`);
  return value;
}
