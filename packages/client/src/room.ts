import { sigmeshError, type ClientId, type PeerSignal, type RoomHash } from '@sigmesh/protocol';
import { Emitter } from './emitter.js';
import { fetchIceServers, prepayIceServers, type NodeIceServers } from './ice-servers.js';
import { probedOffer, type ProbedNode } from './nodes/node-pool.js';
import type { NodeSession } from './nodes/node-session.js';
import type { PeerIdentity } from './identity/peer-identity.js';
import { Peer, type PeerConnectionFactory, type PeerHandlers } from './peers/peer.js';
import type { PowSolver } from './pow/pow-solver.js';
import type { AddStreamOptions, PeerInfo, RoomEvents } from './room-events.js';
import type { SignalingHandlers } from './signaling/room-signaling-options.js';
import type { RoomSignaling, SignalingStats } from './signaling/room-signaling.js';

export type { AddStreamOptions, PeerInfo, RoomEvents } from './room-events.js';

/** Signals kept per client while the room is still joining. */
const MAX_WAITING_SIGNALS = 256;

export interface RoomParts {
  readonly hash: RoomHash;
  readonly selfId: ClientId;
  readonly encrypted: boolean;
  readonly solver: PowSolver;
  readonly RTCPeerConnection: PeerConnectionFactory;
  readonly configuration: RTCConfiguration;
  readonly extraIceServers: readonly RTCIceServer[];
  readonly fetchTurn: boolean;
  /** How long fetching one node's TURN credentials may take (re-payments included). */
  readonly tokenTimeoutMs: number;
}

interface SharedStream {
  readonly stream: MediaStream;
  readonly peerId: ClientId | undefined;
  readonly metadata: unknown;
}

/**
 * A joined room: its peers, their messages and media. Made by {@link joinRoom}; wired to a
 * {@link RoomSignaling} that finds the peers and carries their first signals through the nodes.
 */
export class Room extends Emitter<RoomEvents> {
  /** This client's id in the room, the same on every node. */
  readonly selfId: ClientId;
  /** The room hash nodes see. */
  readonly hash: RoomHash;
  /** Signaling is end-to-end encrypted (a password was given). */
  readonly encrypted: boolean;
  readonly #parts: RoomParts;
  readonly #peers = new Map<ClientId, Peer>();
  /** The keys of clients signaling knows now (from their verified hellos). */
  readonly #identities = new Map<ClientId, PeerIdentity>();
  /** The key each peer connection was made for (it outlives the client's signaling). */
  readonly #peerIdentities = new WeakMap<Peer, PeerIdentity>();
  readonly #streams: SharedStream[] = [];
  readonly #ice = new Map<string, NodeIceServers & { readonly session: NodeSession }>();
  /** Why the last credential fetches failed, per node (for a TURN_UNAVAILABLE that says why). */
  readonly #iceFailures = new Map<string, string>();
  readonly #refreshing = new Set<string>();
  /** `/token` payments made while a join was on its way, by the probe the join used. */
  readonly #prepaidIce = new WeakMap<ProbedNode, Promise<string | undefined>>();
  /** Clients seen while joinRoom still waits for TURN credentials, with the signals they sent. */
  readonly #waiting = new Map<ClientId, PeerSignal[]>();
  readonly #announcedStreams = new WeakSet<MediaStream>();
  #signaling: RoomSignaling | undefined;
  #ready = false;
  #left = false;
  #refresh: ReturnType<typeof setInterval> | undefined;

  constructor(parts: RoomParts) {
    super();
    this.#parts = parts;
    this.selfId = parts.selfId;
    this.hash = parts.hash;
    this.encrypted = parts.encrypted;
  }

  /** URLs of the nodes the room is joined on now. */
  get nodes(): readonly string[] {
    return this.#signaling?.nodes ?? [];
  }

  /**
   * What signaling through the nodes refused, by reason, and what its bounded buffers hold. A
   * `replayed` or `stale` count that keeps rising means a node re-posts old payloads, or (stale)
   * a peer's clock is further off than `replayWindowMs`.
   */
  signalingStats(): SignalingStats | undefined {
    return this.#signaling?.stats();
  }

  /** The ICE servers new connections use: from the nodes' `/token`, plus the app's own. */
  get iceServers(): RTCIceServer[] {
    return [
      ...[...this.#ice.values()].flatMap((entry) =>
        entry.iceServers.map((server) => ({ ...server, urls: [...server.urls] })),
      ),
      ...this.#parts.extraIceServers,
    ];
  }

  peers(): PeerInfo[] {
    return [...this.#peers.values()].map((peer) => this.#info(peer));
  }

  /**
   * Sends a JSON value or bytes to one peer, or to every open peer. Resolves when handed to the
   * data channels (waiting while one is full: backpressure).
   */
  async send(data: unknown, peerId?: ClientId): Promise<void> {
    this.#assertOpen();
    if (peerId !== undefined) {
      const peer = this.#peers.get(peerId);
      if (peer?.opened !== true || peer.closed)
        throw sigmeshError('PEER_NOT_CONNECTED', `peer ${peerId} has no open data channel`);
      await peer.send(data);
      return;
    }
    await Promise.all(
      [...this.#peers.values()]
        .filter((peer) => peer.opened && !peer.closed)
        .map((peer) => peer.send(data)),
    );
  }

  /** Shares a stream's tracks with one peer or all (later joiners too, until removed). */
  addStream(stream: MediaStream, options: AddStreamOptions = {}): void {
    this.#assertOpen();
    this.#streams.push({ stream, peerId: options.peerId, metadata: options.metadata ?? null });
    for (const peer of this.#peers.values())
      if (peer.opened && (options.peerId === undefined || options.peerId === peer.id))
        peer.addStream(stream, options.metadata ?? null);
  }

  /** Stops sending a stream (to one peer, or to all). The tracks keep running: stop them yourself. */
  removeStream(stream: MediaStream, peerId?: ClientId): void {
    for (let index = this.#streams.length - 1; index >= 0; index--) {
      const shared = this.#streams[index]!;
      if (shared.stream === stream && (peerId === undefined || shared.peerId === peerId))
        this.#streams.splice(index, 1);
    }
    for (const peer of this.#peers.values())
      if (peerId === undefined || peer.id === peerId) peer.removeStream(stream);
  }

  /** Leaves: says bye to every peer, closes connections and leaves every node. Idempotent. */
  leave(): void {
    if (this.#left) return;
    this.#left = true;
    clearInterval(this.#refresh);
    for (const peer of this.#peers.values()) peer.close(true);
    this.#peers.clear();
    this.#signaling?.stop();
    this.#parts.solver.close();
  }

  get left(): boolean {
    return this.#left;
  }

  /** Called by joinRoom once the nodes are joined and the ICE servers are in. */
  attach(signaling: RoomSignaling): void {
    this.#signaling = signaling;
  }

  markReady(): void {
    this.#ready = true;
    for (const [id, signals] of this.#waiting) {
      const peer = this.#connect(id);
      if (signals.length > 0) peer?.receive(signals);
    }
    this.#waiting.clear();
    this.#refresh = setInterval(() => this.#refreshIce(), 15_000);
    (this.#refresh as { unref?: () => void }).unref?.();
  }

  /**
   * Pays `node`'s `/token` challenge while its join is on its way (the PoW worker is idle until
   * the welcome), so the credentials are asked for as soon as we are a member.
   */
  prepayIce(node: ProbedNode): void {
    if (this.#parts.fetchTurn)
      this.#prepaidIce.set(node, prepayIceServers(node, this.#parts.solver));
  }

  /** Fetches `/token` from a node just joined, as its member. */
  async addNodeIce(session: NodeSession): Promise<void> {
    const prepaid = this.#prepaidIce.get(session.probe);
    this.#prepaidIce.delete(session.probe);
    if (!this.#parts.fetchTurn) return;
    try {
      const fetched = await fetchIceServers(
        session,
        this.#parts.solver,
        this.#parts.tokenTimeoutMs,
        probedOffer(session.probe, 'token'),
        await prepaid,
      );
      // The node may have been lost while the credentials were on their way.
      if (session.closed) return;
      this.#ice.set(session.url, { ...fetched, session });
      this.#iceFailures.delete(session.url);
      this.#applyIce();
    } catch (error) {
      const { code, message } = error as { code?: string; message: string };
      this.#iceFailures.set(session.url, `${session.url}: ${code ?? 'ERROR'} ${message}`);
      this.emit('error', error as Error);
    }
  }

  /** Why fetching TURN credentials failed on the nodes that did not hand them out. */
  iceFailures(): string[] {
    return [...this.#iceFailures.values()];
  }

  /** The handlers a RoomSignaling reports to. */
  signalingHandlers(): SignalingHandlers {
    return {
      clientSeen: (id, identity) => {
        this.#identities.set(id, identity);
        if (this.#ready) this.#connect(id);
        else if (!this.#waiting.has(id)) this.#waiting.set(id, []);
      },
      clientGone: (id) => {
        this.#waiting.delete(id);
        this.#identities.delete(id);
        const peer = this.#peers.get(id);
        // An open connection outlives its signaling paths; one still connecting cannot finish.
        if (peer !== undefined && !peer.opened) peer.close();
      },
      signals: (id, signals) => {
        if (this.#ready) {
          (this.#peers.get(id) ?? this.#connect(id))?.receive(signals);
          return;
        }
        // Kept, in order, until the peer can be made (an offer must not be lost).
        const waiting = this.#waiting.get(id) ?? [];
        if (waiting.length < MAX_WAITING_SIGNALS) waiting.push(...signals);
        this.#waiting.set(id, waiting);
      },
      nodesChanged: (urls) => {
        for (const url of this.#ice.keys()) if (!urls.includes(url)) this.#ice.delete(url);
        this.emit('nodes', urls);
      },
      joinPaid: (node) => this.prepayIce(node),
      joined: (session) => this.addNodeIce(session),
      error: (error) => this.#reportError(error),
    };
  }

  #connect(id: ClientId): Peer | undefined {
    if (this.#left) return undefined;
    const existing = this.#peers.get(id);
    if (existing !== undefined && !existing.closed) return existing;
    // Signaling reports a client (clientSeen) before it signals, and forgets it only once gone.
    const identity = this.#identities.get(id);
    if (identity === undefined) return undefined;
    const peer = new Peer({
      id,
      polite: this.selfId > id,
      configuration: {
        ...this.#parts.configuration,
        iceServers: this.iceServers,
      },
      RTCPeerConnection: this.#parts.RTCPeerConnection,
      handlers: this.#peerHandlers(),
    });
    this.#peers.set(id, peer);
    this.#peerIdentities.set(peer, identity);
    return peer;
  }

  #peerHandlers(): PeerHandlers {
    return {
      open: (peer) => {
        for (const shared of this.#streams)
          if (shared.peerId === undefined || shared.peerId === peer.id)
            peer.addStream(shared.stream, shared.metadata);
        const peerInfo = this.#info(peer);
        this.emit('peer-state', peerInfo);
        this.emit('peer-join', peer.id, peerInfo.identity);
      },
      closed: (peer, error) => {
        if (this.#peers.get(peer.id) === peer) this.#peers.delete(peer.id);
        if (error !== undefined) this.#reportError(error, peer.id);
        if (peer.opened && !this.#left) this.emit('peer-leave', peer.id);
      },
      message: (peer, data) => this.emit('message', data, peer.id),
      track: (peer, track, stream, metadata) => {
        this.emit('track', track, stream, peer.id, metadata);
        if (!this.#announcedStreams.has(stream)) {
          this.#announcedStreams.add(stream);
          this.emit('stream', stream, peer.id, metadata);
        }
      },
      streamRemoved: (peer, stream) => {
        this.#announcedStreams.delete(stream);
        this.emit('stream-removed', stream, peer.id);
      },
      stateChanged: (peer) => this.emit('peer-state', this.#info(peer)),
      sendViaRoom: async (peer, signals) => {
        if (this.#signaling === undefined || this.#left) return;
        await this.#signaling.sendSignals(peer.id, signals);
      },
      error: (peer, error) => this.#reportError(error, peer.id),
    };
  }

  #applyIce(): void {
    const iceServers = this.iceServers;
    for (const peer of this.#peers.values()) {
      try {
        peer.pc.setConfiguration({ ...this.#parts.configuration, iceServers });
      } catch {
        // Implementations without setConfiguration keep their first servers.
      }
    }
  }

  /** Fetches fresh TURN credentials from each joined node before the old ones expire. */
  #refreshIce(): void {
    const now = Date.now();
    for (const [url, entry] of this.#ice) {
      if (entry.refreshAt > now || this.#refreshing.has(url)) continue;
      this.#refreshing.add(url);
      fetchIceServers(entry.session, this.#parts.solver, this.#parts.tokenTimeoutMs, entry.next)
        .then((fresh) => {
          if (this.#ice.has(url)) this.#ice.set(url, { ...fresh, session: entry.session });
          this.#applyIce();
        })
        .catch((error: unknown) => this.#reportError(error as Error))
        .finally(() => this.#refreshing.delete(url));
    }
  }

  #reportError(error: Error, peerId?: ClientId): void {
    if (this.listens('error')) this.emit('error', error, peerId);
    else console.warn(`sigmesh: ${error.message}`);
  }

  #assertOpen(): void {
    if (this.#left) throw sigmeshError('ROOM_LEFT', 'this room was left');
  }

  #info(peer: Peer): PeerInfo {
    return {
      id: peer.id,
      // Set with the peer in #connect, the only place peers are made.
      identity: this.#peerIdentities.get(peer)!,
      connection: peer.connectionState,
      route: peer.route,
      open: peer.opened && !peer.closed,
    };
  }
}
