/**
 * The socket-free STUN/TURN engine: bytes and addresses in, {@link TurnActions} out. Transport
 * adapters demultiplex (RFC 7983 §7: first byte 0–3 STUN, 64–79 ChannelData) and call in; tests
 * call in directly with a recording sink and an injected clock.
 */
import { AddressCounts, addressShareKey } from './address-share.js';
import { unknownAttributes } from './attributes/unknown-attributes.js';
import { unknownRequiredTypes } from './attributes/known-attributes.js';
import type { Allocation, ClientTuple } from './allocation.js';
import type { TransportAddress } from './ip-address.js';
import { handleAllocate, completeAllocate } from './methods/allocate.js';
import { handleBinding } from './methods/binding.js';
import { handleChannelBind } from './methods/channel-bind.js';
import { relayChannelData } from './methods/channel-data.js';
import { handleCreatePermission } from './methods/create-permission.js';
import { relayFromPeer } from './methods/data-indication.js';
import { handleRefresh } from './methods/refresh.js';
import { handleSendIndication } from './methods/send-indication.js';
import { createPeerPolicy, type PeerPolicy } from './peer-policy.js';
import { SourceRateLimiter } from './source-rate-limiter.js';
import { createNonceMinter, type NonceMinter } from './stateless-nonce.js';
import { fingerprintMatches } from './stun-integrity.js';
import {
  parseStunMessage,
  StunMethod,
  type AttributeInput,
  type StunMethodName,
} from './stun-message.js';
import { errorResponse, successResponse, type StunErrorCode } from './stun-responses.js';
import {
  emptyTurnStats,
  type TurnActions,
  type TurnContext,
  type TurnHandler,
  type TurnRequest,
  type TurnState,
  type TurnStats,
} from './turn-context.js';
import type { TurnErrorCode } from './turn-error-code.js';
import type { ResolvedTurnOptions } from './turn-options.js';

type RequestMethod = Exclude<StunMethodName, 'send' | 'data'>;

/** One handler per request method; the compiler checks every method has one. */
const requestHandlers = {
  binding: handleBinding,
  allocate: handleAllocate,
  refresh: handleRefresh,
  createPermission: handleCreatePermission,
  channelBind: handleChannelBind,
} satisfies Record<RequestMethod, TurnHandler>;

const handlerByMethod = new Map<number, TurnHandler>(
  (Object.keys(requestHandlers) as RequestMethod[]).map((name) => [
    StunMethod[name],
    requestHandlers[name],
  ]),
);

/** The TURN engine. */
export class TurnCore implements TurnContext {
  readonly nonces: NonceMinter;
  readonly policy: PeerPolicy;
  readonly state: TurnState = {
    allocations: new Map(),
    pending: new Map(),
    perUsername: new Map(),
    perAddress: new AddressCounts(),
  };
  readonly stats: TurnStats = emptyTurnStats();
  private readonly limiter: SourceRateLimiter;
  private idCounter = 0;

  constructor(
    readonly options: ResolvedTurnOptions,
    readonly actions: TurnActions,
    readonly relayFamily: 4 | 6 = 4,
  ) {
    this.nonces = createNonceMinter(options.nonceLifetimeSeconds);
    this.policy = createPeerPolicy(options);
    this.limiter = new SourceRateLimiter(
      options.maxRequestsPerSecondPerSource,
      options.maxRequestsPerSecondPerSource * 2,
      options.maxTrackedSources,
    );
  }

  now(): number {
    return this.options.now();
  }

  nextId(): number {
    return ++this.idCounter;
  }

  reject(code: TurnErrorCode, tuple: ClientTuple, detail: string): void {
    this.stats.rejected[code]++;
    this.options.logger.debug(
      { code, transport: tuple.transport, client: tuple.client, detail },
      'turn: rejected',
    );
  }

  sendSuccess(
    request: TurnRequest,
    attributes: readonly AttributeInput[],
    key: Uint8Array | undefined,
  ): void {
    this.actions.toClient(
      request.tuple,
      successResponse(request.message, attributes, key, this.options.software),
    );
  }

  sendChallenge(request: TurnRequest, attributes: readonly AttributeInput[]): void {
    this.actions.toClient(
      request.tuple,
      errorResponse(request.message, 401, attributes, undefined, this.options.software),
    );
  }

  sendError(
    request: TurnRequest,
    stunCode: StunErrorCode,
    code: TurnErrorCode,
    detail: string,
    key?: Uint8Array,
    attributes: readonly AttributeInput[] = [],
  ): void {
    this.reject(code, request.tuple, `${stunCode}: ${detail}`);
    this.actions.toClient(
      request.tuple,
      errorResponse(request.message, stunCode, attributes, key, this.options.software),
    );
  }

  releaseShares(username: string, clientAddress: string): void {
    const count = (this.state.perUsername.get(username) ?? 1) - 1;
    if (count <= 0) this.state.perUsername.delete(username);
    else this.state.perUsername.set(username, count);
    this.state.perAddress.remove(addressShareKey(clientAddress));
  }

  deleteAllocation(allocation: Allocation): void {
    if (allocation.closed) return;
    allocation.closed = true;
    if (this.state.allocations.get(allocation.tuple.key) === allocation)
      this.state.allocations.delete(allocation.tuple.key);
    this.releaseShares(allocation.username, allocation.tuple.client.address);
    this.actions.closeRelay(allocation);
  }

  /**
   * Replaces the extra allowed peers and ends, at once, every permission and channel whose peer
   * is no longer allowed (issue 11): policy decides what may be relayed now, not what was
   * allowed when the permission was made. Refreshing them is refused by the same policy (403).
   */
  setExtraAllowedPeers(entries: Iterable<string>): void {
    this.policy.setExtraAllowed(entries);
    for (const allocation of this.state.allocations.values()) {
      for (const ip of [...allocation.permissions.keys()]) {
        if (this.policy.check(ip) === 'allowed') continue;
        allocation.permissions.delete(ip);
        this.stats.peersRevoked++;
      }
      for (const channel of [...allocation.channelsByNumber.values()]) {
        if (this.policy.check(channel.peer.address) === 'allowed') continue;
        allocation.channelsByNumber.delete(channel.number);
        allocation.channelsByPeer.delete(channel.peerKey);
        this.stats.peersRevoked++;
      }
    }
  }

  /** A STUN message from a client (first byte 0–3). Never throws on bad input. */
  handleStun(tuple: ClientTuple, bytes: Uint8Array): void {
    const parsed = parseStunMessage(bytes);
    if (!parsed.ok) {
      this.reject('TURN_MALFORMED', tuple, parsed.reason);
      return;
    }
    const message = parsed.message;
    if (!fingerprintMatches(message)) {
      this.reject('TURN_MALFORMED', tuple, 'FINGERPRINT mismatch');
      return;
    }
    const request = { tuple, message };
    if (message.cls === 'indication') {
      if (message.method !== StunMethod.send) return;
      if (unknownRequiredTypes(message.attributes.map((a) => a.type)).length > 0) {
        this.reject(
          'TURN_UNSUPPORTED',
          tuple,
          'indication with an unknown comprehension-required attribute',
        );
        return;
      }
      handleSendIndication(this, request);
      return;
    }
    if (message.cls !== 'request') return;
    this.stats.requests++;
    if (!this.limiter.allow(tuple.client.address, this.now())) {
      this.reject('TURN_RATE_LIMITED', tuple, 'request rate per source address');
      return;
    }
    const handler = handlerByMethod.get(message.method);
    if (handler === undefined) {
      this.sendError(
        request,
        400,
        'TURN_MALFORMED',
        `unknown method 0x${message.method.toString(16)}`,
      );
      return;
    }
    const unknown = unknownRequiredTypes(message.attributes.map((a) => a.type));
    if (unknown.length > 0) {
      const extra = [
        {
          type: unknownAttributes.type,
          value: unknownAttributes.encode(unknown, message.transactionId),
        },
      ];
      this.sendError(
        request,
        420,
        'TURN_UNSUPPORTED',
        `unknown attributes ${unknown.join(',')}`,
        undefined,
        extra,
      );
      return;
    }
    handler(this, request);
  }

  /** A ChannelData frame from a client (first byte 64–79), looked up by 5-tuple key. */
  handleChannelData(tupleKey: string, bytes: Uint8Array): void {
    const allocation = this.state.allocations.get(tupleKey);
    if (allocation === undefined) {
      this.stats.rejected.TURN_ALLOCATION_MISMATCH++;
      return;
    }
    relayChannelData(this, allocation, bytes);
  }

  /** A datagram that arrived on an allocation's relay socket. */
  handlePeerData(allocation: Allocation, peer: TransportAddress, bytes: Uint8Array): void {
    relayFromPeer(this, allocation, peer, bytes);
  }

  /** The adapter opened the relay socket for request `id` at `relayed`; returns the allocation. */
  relayOpened(id: number, tupleKey: string, relayed: TransportAddress): Allocation | undefined {
    const entry = this.state.pending.get(tupleKey);
    if (entry?.request.id !== id) return undefined;
    return completeAllocate(this, entry, relayed);
  }

  /** The adapter could not open a relay socket for request `id`. */
  relayFailed(id: number, tupleKey: string): void {
    const entry = this.state.pending.get(tupleKey);
    if (entry?.request.id !== id) return;
    completeAllocate(this, entry, undefined);
  }

  /** The TCP connection of a 5-tuple closed: its allocation goes with it (RFC 8656 §5). */
  connectionClosed(tupleKey: string): void {
    const allocation = this.state.allocations.get(tupleKey);
    if (allocation !== undefined) this.deleteAllocation(allocation);
    const pending = this.state.pending.get(tupleKey);
    if (pending !== undefined) {
      this.state.pending.delete(tupleKey);
      this.releaseShares(pending.username, pending.request.tuple.client.address);
    }
  }

  /** True when the 5-tuple holds an allocation (or one is opening): its client authenticated. */
  hasAllocation(tupleKey: string): boolean {
    return this.state.allocations.has(tupleKey) || this.state.pending.has(tupleKey);
  }

  /** Expires allocations, permissions and channels; call about once a second. */
  sweep(): void {
    const now = this.now();
    for (const allocation of [...this.state.allocations.values()]) {
      if (allocation.expiresAt <= now) {
        this.stats.allocationsExpired++;
        this.deleteAllocation(allocation);
      } else {
        allocation.prune(now);
      }
    }
  }

  /** Deletes every allocation (server stop). */
  clear(): void {
    for (const allocation of [...this.state.allocations.values()])
      this.deleteAllocation(allocation);
    this.state.pending.clear();
    this.state.perUsername.clear();
    this.state.perAddress.clear();
    this.limiter.clear();
  }
}
