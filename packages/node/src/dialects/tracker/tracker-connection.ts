import { sendInTurn } from '../../sockets/turn-sends.js';
import type { WebSocket } from 'ws';
import {
  parseTrackerRequest,
  trackerFailure,
  type ErrorCode,
  type TrackerId,
  type TrackerRequest,
  type TrackerServerMessage,
} from '@sigmesh/protocol';
import type { RateBucket } from './rate-bucket.js';
import type { SwarmPeer } from './swarm.js';

/** What a connection needs from the tracker it belongs to. */
export interface ConnectionHost {
  readonly maxOffers: number;
  now(): number;
  /** Handles one parsed request (the handler table). */
  handle(connection: TrackerConnection, request: TrackerRequest): void;
  /** Counts a refusal sent to a client. */
  refused(code: ErrorCode): void;
  /** The socket closed: its peers leave their swarms. */
  closed(connection: TrackerConnection): void;
}

/** Requests a connection may hold while a takeover of a peer_id it announced is decided. */
const MAX_HELD = 16;

/** Per-address state shared by a client address's connections. */
export interface AddressState {
  connections: number;
  peers: number;
  readonly announces: RateBucket;
  readonly offers: RateBucket;
}

/**
 * One tracker WebSocket: parses each message at the trust boundary, answers every request that
 * cannot be served with a `failure reason` (never a silent drop), and holds the connection's
 * swarm memberships (one peer_id per info hash) and rate buckets.
 */
export class TrackerConnection {
  /** Swarm memberships by info_hash. */
  readonly peers = new Map<TrackerId, SwarmPeer>();
  /** When the client last sent anything (a message or a pong). */
  lastHeard: number;
  closed = false;
  /** Requests waiting for a takeover decision (see announce-handler.ts), or undefined. */
  #held: unknown[] | undefined;

  constructor(
    readonly id: number,
    readonly address: AddressState,
    readonly addressKey: string,
    readonly socket: WebSocket,
    readonly announces: RateBucket,
    readonly offers: RateBucket,
    private readonly host: ConnectionHost,
  ) {
    this.lastHeard = host.now();
    socket.on('message', (data: Buffer, isBinary: boolean) => this.#received(data, isBinary));
    socket.on('pong', () => (this.lastHeard = host.now()));
    socket.on('close', () => this.#close());
    socket.on('error', () => this.#close());
  }

  /** True while requests wait for a takeover decision. */
  get holding(): boolean {
    return this.#held !== undefined;
  }

  /**
   * Sends one tracker message (dropped once the socket is closing). Messages sent to one
   * connection in one turn of the event loop — offers from several announces, and replies — are
   * written together at its end ({@link sendInTurn}): one system call instead of one per message.
   */
  send(message: TrackerServerMessage): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    sendInTurn(this.socket, JSON.stringify(message));
  }

  /** Sends a refusal naming the request's action and info hash, and counts it. */
  refuse(
    action: 'announce' | 'scrape',
    infoHash: TrackerId | undefined,
    code: ErrorCode,
    message: string,
  ): void {
    this.host.refused(code);
    this.send(trackerFailure(action, infoHash, code, message));
  }

  /** Holds further requests until {@link release} (a takeover is being decided). */
  hold(): void {
    this.#held ??= [];
  }

  /** Handles the requests held meanwhile, in order. */
  release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (let i = 0; i < held.length; i++) {
      if (this.closed) return;
      this.#handleValue(held[i]);
      // Handling it may have started another takeover: the rest waits behind that one.
      const again = this.#held as unknown[] | undefined;
      if (again !== undefined) {
        again.push(...held.slice(i + 1));
        return;
      }
    }
  }

  /** Closes the socket (idempotent); `terminate` for a socket that no longer answers. */
  close(code = 1000, reason = '', terminate = false): void {
    if (terminate) this.socket.terminate();
    else this.socket.close(code, reason);
    this.#close();
  }

  #received(data: Buffer, isBinary: boolean): void {
    this.lastHeard = this.host.now();
    let value: unknown;
    try {
      // aquatic accepts binary frames holding the same JSON; so do we.
      value = JSON.parse(isBinary ? data.toString('utf8') : data.toString());
    } catch {
      this.refuse('announce', undefined, 'TRACKER_REQUEST_INVALID', 'not a JSON message');
      return;
    }
    if (this.#held !== undefined) {
      if (this.#held.length < MAX_HELD) this.#held.push(value);
      else
        this.#refuseParsed(
          value,
          'TRACKER_RATE_LIMITED',
          'too many requests while a peer_id takeover is decided',
        );
      return;
    }
    this.#handleValue(value);
  }

  #handleValue(value: unknown): void {
    const request = parseTrackerRequest(value, this.host.maxOffers);
    if (!request.ok) {
      this.refuse(request.action, request.infoHash, request.code, request.message);
      return;
    }
    this.host.handle(this, request.value);
  }

  #refuseParsed(value: unknown, code: ErrorCode, message: string): void {
    const request = parseTrackerRequest(value, this.host.maxOffers);
    const action = request.ok ? request.value.action : request.action;
    const infoHash = request.ok
      ? request.value.action === 'announce'
        ? request.value.infoHash
        : request.value.infoHashes[0]
      : request.infoHash;
    this.refuse(action, infoHash, code, message);
  }

  #close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#held = undefined;
    this.host.closed(this);
  }
}
