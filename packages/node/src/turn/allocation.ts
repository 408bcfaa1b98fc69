/**
 * The state of one allocation (RFC 8656 §5): its 5-tuple, relayed address, credentials, expiry,
 * permissions (§9) and channel bindings (§12). Times are milliseconds from the injected clock.
 */
import type { TransportAddress } from './ip-address.js';
import { TokenBucket } from './token-bucket.js';

/** The client side of a 5-tuple as the transport adapter sees it. */
export interface ClientTuple {
  /** Unique key of the 5-tuple (transport, server address, client address). */
  readonly key: string;
  readonly transport: 'udp' | 'tcp';
  /** The client's address as seen by the server. */
  readonly client: TransportAddress;
  /** Adapter handle: which listening socket or connection to answer on. */
  readonly handle: number;
}

/** A channel binding; kept 5 minutes past expiry so it is not rebound meanwhile (RFC 8656 §12). */
export interface Channel {
  readonly number: number;
  readonly peer: TransportAddress;
  readonly peerKey: string;
  expiresAt: number;
}

/** How long an expired channel blocks its number and peer (RFC 8656 §12). */
export const CHANNEL_COOLDOWN_MS = 300_000;

/** The key of a peer transport address in channel tables. */
export function peerKey(address: string, port: number): string {
  return `${address}|${port}`;
}

/** One allocation. Mutable state is owned by the TURN core. */
export class Allocation {
  /** Permissions: peer IP → expiry. */
  readonly permissions = new Map<string, number>();
  readonly channelsByNumber = new Map<number, Channel>();
  readonly channelsByPeer = new Map<string, Channel>();
  readonly bandwidth: TokenBucket;
  /** Adapter slot for the relay socket. */
  relay: unknown;
  closed = false;

  constructor(
    readonly id: number,
    readonly tuple: ClientTuple,
    readonly username: string,
    /** Long-term key the allocation was authenticated with; signs its responses. */
    readonly key: Uint8Array,
    readonly relayed: TransportAddress,
    public expiresAt: number,
    /** Transaction id (hex) of the Allocate and its success, for retransmissions (RFC 8656 §7.2). */
    readonly allocateTransaction: string,
    readonly allocateResponse: Uint8Array,
    bytesPerSecond: number,
    burstBytes: number,
    nowMs: number,
  ) {
    this.bandwidth = new TokenBucket(bytesPerSecond, burstBytes, nowMs);
  }

  /** True when `ip` has an unexpired permission. */
  permits(ip: string, nowMs: number): boolean {
    const expiry = this.permissions.get(ip);
    return expiry !== undefined && expiry > nowMs;
  }

  /** Live channel bound to this peer, if any. */
  channelForPeer(address: string, port: number, nowMs: number): Channel | undefined {
    const channel = this.channelsByPeer.get(peerKey(address, port));
    return channel !== undefined && channel.expiresAt > nowMs ? channel : undefined;
  }

  /** Drops expired permissions and channels past their cooldown. */
  prune(nowMs: number): void {
    for (const [ip, expiry] of this.permissions) if (expiry <= nowMs) this.permissions.delete(ip);
    for (const channel of this.channelsByNumber.values()) {
      if (channel.expiresAt + CHANNEL_COOLDOWN_MS <= nowMs) {
        this.channelsByNumber.delete(channel.number);
        this.channelsByPeer.delete(channel.peerKey);
      }
    }
  }
}
