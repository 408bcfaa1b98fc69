/**
 * What the method handlers see of the TURN core: state, policy, the action sink and reply
 * helpers. The core is socket-free: everything it wants done to the world goes through
 * {@link TurnActions}, which the UDP/TCP adapters implement (and tests record).
 */
import { zeroTurnCounts, type TurnErrorCode } from './turn-error-code.js';
import type { AddressCounts } from './address-share.js';
import type { Allocation, ClientTuple } from './allocation.js';
import type { TransportAddress } from './ip-address.js';
import type { NonceMinter } from './stateless-nonce.js';
import type { PeerPolicy } from './peer-policy.js';
import type { StunErrorCode } from './stun-responses.js';
import type { AttributeInput, StunMessage } from './stun-message.js';
import type { ResolvedTurnOptions } from './turn-options.js';

/** A request for a relay socket; answered with `core.relayOpened` or `core.relayFailed`. */
export interface RelayRequest {
  readonly id: number;
  readonly tuple: ClientTuple;
  readonly family: 4 | 6;
  /** RFC 8656 §7.2 EVEN-PORT: the relayed port must be even. */
  readonly evenPort: boolean;
}

/** The actions the core emits. Implementations must not throw. */
export interface TurnActions {
  /** Send bytes to a client over its own 5-tuple (same server address it sent to). */
  toClient(tuple: ClientTuple, data: Uint8Array): void;
  /** Send a datagram from the allocation's relay socket to a peer. */
  toPeer(allocation: Allocation, peer: TransportAddress, data: Uint8Array): void;
  /** Open a relay socket for a pending Allocate. */
  openRelay(request: RelayRequest): void;
  /** Close the relay socket of a deleted allocation. */
  closeRelay(allocation: Allocation): void;
}

/** An Allocate waiting for its relay socket. */
export interface PendingAllocation {
  readonly request: RelayRequest;
  readonly message: StunMessage;
  readonly transaction: string;
  readonly username: string;
  readonly key: Uint8Array;
  readonly lifetimeSeconds: number;
}

/** Counters for metrics and tests. */
export interface TurnStats {
  allocationsCreated: number;
  allocationsExpired: number;
  /** Permissions and channels ended because their peer address stopped being allowed. */
  peersRevoked: number;
  /** TCP connections closed for idling without an allocation (`tcpAuthTimeoutSeconds`). */
  tcpUnauthenticatedClosed: number;
  requests: number;
  packetsToPeer: number;
  bytesToPeer: number;
  packetsToClient: number;
  bytesToClient: number;
  readonly rejected: Record<TurnErrorCode, number>;
}

/** All counters at zero (a fresh core, or a server not running). */
export function emptyTurnStats(): TurnStats {
  return {
    allocationsCreated: 0,
    allocationsExpired: 0,
    peersRevoked: 0,
    tcpUnauthenticatedClosed: 0,
    requests: 0,
    packetsToPeer: 0,
    bytesToPeer: 0,
    packetsToClient: 0,
    bytesToClient: 0,
    rejected: zeroTurnCounts(),
  };
}

/** Mutable tables of the core. */
export interface TurnState {
  /** Live allocations by 5-tuple key. */
  readonly allocations: Map<string, Allocation>;
  /** Allocates waiting for a relay socket, by 5-tuple key. */
  readonly pending: Map<string, PendingAllocation>;
  /** Live and pending allocations per credential username. */
  readonly perUsername: Map<string, number>;
  /** Live and pending allocations per client address share (IPv6 per /64, see address-share.ts). */
  readonly perAddress: AddressCounts;
}

/** A STUN request or indication from a client. */
export interface TurnRequest {
  readonly tuple: ClientTuple;
  readonly message: StunMessage;
}

/** The handler-facing face of the core. */
export interface TurnContext {
  readonly options: ResolvedTurnOptions;
  readonly actions: TurnActions;
  readonly nonces: NonceMinter;
  readonly policy: PeerPolicy;
  readonly state: TurnState;
  readonly stats: TurnStats;
  /** Family of relayed addresses this server hands out. */
  readonly relayFamily: 4 | 6;
  now(): number;
  nextId(): number;
  /** Decrement the allocation counts of a username and a client address (allocation gone or never made). */
  releaseShares(username: string, clientAddress: string): void;
  /** Count and debug-log a peer-caused problem (no reply). */
  reject(code: TurnErrorCode, tuple: ClientTuple, detail: string): void;
  /** Reply with success, signed with `key` when the request was authenticated. */
  sendSuccess(
    request: TurnRequest,
    attributes: readonly AttributeInput[],
    key: Uint8Array | undefined,
  ): void;
  /** The unauthenticated-first 401 (REALM and NONCE); a normal step, not counted as a rejection. */
  sendChallenge(request: TurnRequest, attributes: readonly AttributeInput[]): void;
  /** Count, log and reply with an error response. */
  sendError(
    request: TurnRequest,
    stunCode: StunErrorCode,
    code: TurnErrorCode,
    detail: string,
    key?: Uint8Array,
    attributes?: readonly AttributeInput[],
  ): void;
  /** Remove an allocation and release its relay socket. */
  deleteAllocation(allocation: Allocation): void;
}

/** A request or indication handler. */
export type TurnHandler = (context: TurnContext, request: TurnRequest) => void;
