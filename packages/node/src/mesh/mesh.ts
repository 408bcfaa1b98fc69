import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  MESH_MAX_CHAIN_LENGTH,
  MESH_MAX_ROOMS_PER_FRAME,
  type RoomHash,
  type StatusLink,
} from '@sigmesh/protocol';
import { WebSocket, WebSocketServer } from 'ws';
import type { NodeConfig } from '../config/node-options.js';
import type { NodeIdentity } from '../identity/node-identity.js';
import type { Logger } from '../log/create-logger.js';
import { clientKey } from '../pow/client-key.js';
import type { Member } from '../rooms/member.js';
import type { RoomRegistry } from '../rooms/room-registry.js';
import type { RoomMessage, RoomObserver } from '../rooms/room-observer.js';
import { DialTargets } from './dial-targets.js';
import { admissionPrice, evictionVictim } from './link-slots.js';
import { closeCodeError, meshCloseCodes } from './mesh-close-codes.js';
import { MeshLink, type LinkHandlers, type RoomFrame } from './mesh-link.js';
import { emptyMeshStats, type MeshStats } from './mesh-stats.js';
import { MessageRelay } from './message-relay.js';
import { OwnPresence } from './presence/own-presence.js';
import { RemoteOwners } from './presence/remote-owners.js';
import { PresenceSync } from './presence-sync.js';
import { Reputation } from './reputation.js';
import { roomFrameHandlers, type RoomFrameContext } from './room-frames.js';
import { SeenIds } from './seen-ids.js';
import { VerifiedNodes, type VerifiedNode } from './verified-nodes.js';

/** The mesh's options (docs/limits.md § Mesh links). */
export type MeshConfig = Pick<
  NodeConfig,
  | 'meshMaxLinks'
  | 'meshHopLimit'
  | 'meshMaxFrameBytes'
  | 'meshFramesPerSecond'
  | 'meshMaxBufferedBytes'
  | 'meshIdleCloseMs'
  | 'meshHandshakeTimeoutMs'
  | 'meshDedupeSize'
  | 'meshPeers'
  | 'meshMaxPendingLinks'
  | 'meshAdmissionDifficulty'
  | 'meshMaxAdmissionDifficulty'
  | 'meshPingMs'
  | 'meshSilenceMs'
  | 'meshBeatMs'
  | 'meshPresenceLeaseMs'
  | 'meshMaxRoomsPerLink'
  | 'meshMaxOwnersPerLink'
  | 'meshMaxMembersPerLink'
  | 'meshMaxMembersPerOwner'
  | 'meshMaxRemoteMembersPerRoom'
  | 'meshMaxRemoteMembers'
  | 'meshOwnerMessagesPerSecond'
  | 'meshBanPoints'
>;

/** Verified nodes remembered for `/nodes`. */
const MAX_VERIFIED = 1000;
/** Handshakes in flight from one address. */
const MAX_PENDING_PER_ADDRESS = 4;
/** How often owners' leases and graces are checked. */
const LIVENESS_TICK_MS = 250;
/** A chain lasts ten minutes: a receiver that missed beats checks at most 600 values (default). */
const CHAIN_SECONDS = 600;

/**
 * Node-to-node relay of rooms (DESIGN §3 mesh; docs/protocol.md § Mesh, docs/security.md).
 * Links are WebSockets at `/mesh`, one per node pair, opened toward nodes discovery found for a
 * room (or static peers), closed when no room is shared any more, redialed with backoff while
 * still wanted. Rooms are matched by blinded interests; each node owns its members and
 * announces them as signed rosters kept alive by hash-chain beats ({@link PresenceSync}); room
 * messages flood a room's links and are taken only along their owner's route
 * ({@link MessageRelay}). Misbehaving nodes lose reputation and, at the threshold, their links.
 */
export class Mesh implements RoomObserver {
  readonly #config: MeshConfig;
  readonly #identity: NodeIdentity;
  readonly #rooms: RoomRegistry;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #version: string;
  readonly #publicUrl: () => string;
  readonly #onLinksChanged: ((ids: string[]) => void) | undefined;
  readonly #links = new Map<string, MeshLink>();
  readonly #pending = new Set<MeshLink>();
  readonly #targets: DialTargets;
  readonly #verified = new VerifiedNodes(MAX_VERIFIED);
  readonly #seen: SeenIds;
  readonly #wss: WebSocketServer;
  readonly #handlers: LinkHandlers;
  readonly #stats: MeshStats = emptyMeshStats();
  readonly #reputation: Reputation;
  /** Addresses, at four times the points (many honest nodes may share one). */
  readonly #addressReputation: Reputation;
  readonly #presence: PresenceSync;
  readonly #relay: MessageRelay;
  readonly #frameContext: RoomFrameContext;
  readonly #timers: NodeJS.Timeout[] = [];
  #stopped = false;

  constructor(options: {
    config: MeshConfig;
    identity: NodeIdentity;
    rooms: RoomRegistry;
    log: Logger;
    now: () => number;
    version: string;
    publicUrl: () => string;
    /** Called with the ids of linked nodes whenever a link opens or closes. */
    onLinksChanged?: (ids: string[]) => void;
  }) {
    const { config, identity, rooms, now } = options;
    this.#config = config;
    this.#identity = identity;
    this.#rooms = rooms;
    this.#log = options.log;
    this.#now = now;
    this.#version = options.version;
    this.#publicUrl = options.publicUrl;
    this.#onLinksChanged = options.onLinksChanged;
    this.#seen = new SeenIds(config.meshDedupeSize);
    this.#reputation = new Reputation({
      banPoints: config.meshBanPoints,
      halfLifeMs: 10 * 60_000,
      maxEntries: 10_000,
      now,
    });
    this.#addressReputation = new Reputation({
      banPoints: config.meshBanPoints * 4,
      halfLifeMs: 10 * 60_000,
      maxEntries: 10_000,
      now,
    });
    const owners = new RemoteOwners({
      limits: {
        leaseMs: config.meshPresenceLeaseMs,
        forgetMs: Math.max(60_000, config.meshPresenceLeaseMs * 4),
        maxOwnersPerLink: config.meshMaxOwnersPerLink,
        maxMembersPerLink: config.meshMaxMembersPerLink,
        maxMembersPerOwner: config.meshMaxMembersPerOwner,
        maxRemotePerRoom: config.meshMaxRemoteMembersPerRoom,
        maxRemoteTotal: config.meshMaxRemoteMembers,
        ownerMessagesPerSecond: config.meshOwnerMessagesPerSecond,
        ownerMessageBurst: config.meshOwnerMessagesPerSecond * 2,
      },
      now,
      onChange: (room, joined, left) => rooms.remoteChanged(room, joined, left),
      onGone: (owner) => this.#presence.gone(owner),
      onVisible: (owner) => this.#presence.visible(owner),
      // An owner linked to us speaks for its members itself, in order (see RemoteOwners).
      relayedWhileLinked: (owner, via) => {
        const direct = this.#links.get(owner);
        return direct !== undefined && direct !== via;
      },
    });
    const sharing = (room: RoomHash): MeshLink[] =>
      [...this.#links.values()].filter((link) => link.interests?.shared.has(room) === true);
    this.#presence = new PresenceSync({
      selfId: identity.id,
      own: new OwnPresence({
        identity,
        now,
        beatMs: config.meshBeatMs,
        chainLength: Math.min(
          MESH_MAX_CHAIN_LENGTH,
          Math.ceil((CHAIN_SECONDS * 1000) / config.meshBeatMs),
        ),
      }),
      owners,
      host: {
        links: () => this.#links.values(),
        sharing,
        violation: (link, reason, points) => this.#violation(link, reason, points),
        stats: this.#stats,
      },
      now,
    });
    this.#relay = new MessageRelay({
      rooms,
      owners,
      seen: this.#seen,
      stats: this.#stats,
      hopLimit: config.meshHopLimit,
      host: {
        sharing,
        linkTo: (id, room) => {
          const link = this.#links.get(id);
          return link?.interests?.shared.has(room) === true ? link : undefined;
        },
        // 20 points per five seconds' worth of allowance dropped: a burst over it is forgiven,
        // a flood of several times the allowance is banned within seconds.
        ownerOverRate: (owner) => {
          if (this.#reputation.penalize([owner], 4 / config.meshOwnerMessagesPerSecond))
            this.#links.get(owner)?.close(meshCloseCodes.banned, 'banned: messages over allowance');
        },
      },
    });
    this.#frameContext = {
      presence: this.#presence,
      relay: this.#relay,
      maxRoomsPerLink: config.meshMaxRoomsPerLink,
      shared: (link, room) => {
        link.lastShared = this.#now();
        this.#presence.shared(link, room);
      },
      unshared: (link, room) => this.#presence.unshared(link, room),
      violation: (link, reason, points) => this.#violation(link, reason, points),
    };
    this.#targets = new DialTargets({
      connect: (url) => this.#linkTo(url),
      stillWanted: (room) => this.#rooms.hasLocalMembers(room),
    });
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: config.meshMaxFrameBytes });
    this.#handlers = {
      admit: (link, node) => this.#admit(link, node),
      opened: (link) => this.#onOpened(link),
      frame: (link, frame) => this.#onFrame(link, frame),
      violation: (link, reason, points) => this.#violation(link, reason, points),
      closed: (link, code, reason) => this.#onClosed(link, code, reason),
    };
    rooms.observe(this);
  }

  start(): void {
    if (this.#timers.length > 0 || this.#stopped) return;
    const every = (ms: number, run: () => void): void => {
      const timer = setInterval(run, ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(this.#config.meshBeatMs, () => this.#presence.beat());
    every(LIVENESS_TICK_MS, () => this.#presence.owners.tick());
    every(Math.max(500, this.#config.meshIdleCloseMs / 2), () => this.#closeIdle());
    for (const url of this.#config.meshPeers) this.#targets.want(url, 'pinned');
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#targets.clear();
    // Leave gracefully: every node that holds our members hears they are gone before the close.
    for (const room of this.#rooms.localRooms())
      for (const peer of this.#rooms.localPeers(room))
        this.#presence.localChanged(room, peer, false);
    this.#presence.flushOwn();
    for (const link of [...this.#links.values(), ...this.#pending])
      link.close(meshCloseCodes.normal, 'node stopping');
    this.#wss.close();
  }

  /** Accepts an HTTP upgrade on `/mesh` (wired to the HTTP server's `upgrade` event). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const address = request.socket.remoteAddress;
    const refuse = (status: string, code: string): void => {
      this.#stats.linksRefused++;
      this.#log.debug({ code, address }, 'mesh link refused');
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (address !== undefined && this.#addressReputation.banned([clientKey(address)]))
      return refuse('403 Forbidden', 'MESH_NODE_REFUSED');
    const fromAddress = [...this.#pending].filter((link) => link.remoteAddress === address).length;
    if (
      this.#stopped ||
      this.#pending.size >= this.#config.meshMaxPendingLinks ||
      fromAddress >= MAX_PENDING_PER_ADDRESS
    ) {
      return refuse('503 Service Unavailable', 'MESH_LINK_LIMIT');
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      this.#adopt(ws, false, address);
    });
  }

  /**
   * Wants a link to the node at `url` (its HTTP base URL) for `room`: dials now unless linked or
   * dialing, and redials with backoff while the room has local members here.
   */
  want(url: string, room: RoomHash): void {
    if (!this.#stopped) this.#targets.want(url, room);
  }

  /**
   * Dials `url` once and resolves with the other node's id when the handshake completes. With
   * `expectedId`, a node presenting another key is refused. An existing link is reused.
   */
  async connect(url: string, expectedId?: string): Promise<string> {
    if (this.#stopped) throw new Error('the mesh is stopped');
    if (expectedId !== undefined && this.#links.has(expectedId)) return expectedId;
    return this.#open(url, expectedId).ready;
  }

  /** Closes the link to node `id`, if any (tests and operators cutting a link). */
  disconnect(id: string): boolean {
    const link = this.#links.get(id);
    link?.close(meshCloseCodes.normal, 'closed by the operator');
    return link !== undefined;
  }

  /** Nodes whose handshake completed within `maxAgeMs`, newest first. */
  verifiedNodes(maxAgeMs: number): VerifiedNode[] {
    return this.#verified.since(this.#now() - maxAgeMs);
  }

  /** The open links: the other node's id and the URL it announced in the signed handshake. */
  links(): StatusLink[] {
    return [...this.#links].map(([id, link]) => ({ id, url: link.remoteUrl ?? '' }));
  }

  /** The remote members this node counts as present in `room` (its view, for tests and status). */
  remoteMembers(room: RoomHash): string[] {
    return this.#presence.owners.members(room);
  }

  stats(): Readonly<MeshStats> {
    let dropped = this.#stats.framesDropped;
    for (const link of [...this.#links.values(), ...this.#pending]) dropped += link.framesDropped;
    let owners = 0;
    for (const owner of this.#presence.owners.owners()) if (owner.visible) owners++;
    return {
      ...this.#stats,
      links: this.#links.size,
      framesDropped: dropped,
      owners,
      remoteMembers: this.#presence.owners.total,
    };
  }

  // RoomObserver: what local rooms do, the mesh tells linked nodes.

  roomOpened(room: RoomHash): void {
    this.#presence.owners.openRoom(room);
    for (const link of this.#links.values()) {
      const { token, shared } = link.interests!.addOurs(room);
      link.send({ t: 'interest', add: [token], remove: [] });
      if (shared) this.#frameContext.shared(link, room);
    }
  }

  roomClosed(room: RoomHash): void {
    // Our last member's leave goes out before we stop sharing the room.
    this.#presence.flushOwn();
    for (const link of this.#links.values()) {
      const token = link.interests!.removeOurs(room);
      if (token !== undefined) link.send({ t: 'interest', add: [], remove: [token] });
    }
    this.#presence.owners.closeRoom(room);
    this.#targets.roomClosed(room);
  }

  memberJoined(member: Member): void {
    this.#presence.localChanged(member.room, member.peerId, true);
  }

  memberLeft(member: Member): void {
    this.#presence.localChanged(member.room, member.peerId, false);
  }

  published(message: RoomMessage): void {
    if (this.#links.size > 0) this.#relay.published(message);
  }

  /** A link toward `url`: the existing one when the node there already linked to us, else a dial. */
  #linkTo(url: string): MeshLink {
    return [...this.#links.values()].find((link) => link.remoteUrl === url) ?? this.#open(url);
  }

  #open(url: string, expectedId?: string): MeshLink {
    const wsUrl = `${url.replace(/^http/, 'ws').replace(/\/$/, '')}/mesh`;
    const ws = new WebSocket(wsUrl, {
      maxPayload: this.#config.meshMaxFrameBytes,
      handshakeTimeout: this.#config.meshHandshakeTimeoutMs,
    });
    const link = this.#adopt(ws, true, undefined, expectedId);
    ws.once('upgrade', (response) => (link.remoteAddress = response.socket.remoteAddress));
    return link;
  }

  #adopt(
    ws: WebSocket,
    dialed: boolean,
    address: string | undefined,
    expectedId?: string,
  ): MeshLink {
    const taken = this.#links.size + this.#pending.size;
    const link = new MeshLink({
      ws,
      dialed,
      identity: this.#identity,
      publicUrl: this.#publicUrl(),
      version: this.#version,
      handlers: this.#handlers,
      limits: {
        framesPerSecond: this.#config.meshFramesPerSecond,
        maxBufferedBytes: this.#config.meshMaxBufferedBytes,
        handshakeTimeoutMs: this.#config.meshHandshakeTimeoutMs,
        pingMs: this.#config.meshPingMs,
        silenceMs: this.#config.meshSilenceMs,
        admit: admissionPrice(
          taken,
          this.#config.meshMaxLinks,
          this.#config.meshAdmissionDifficulty,
          this.#config.meshMaxAdmissionDifficulty,
        ),
        maxAdmit: this.#config.meshMaxAdmissionDifficulty,
      },
      log: this.#log,
      now: this.#now,
      ...(expectedId === undefined ? {} : { expectedId }),
    });
    link.remoteAddress = address;
    this.#pending.add(link);
    return link;
  }

  /** Whether the node behind a hello may link to us; the reason when not. */
  #admit(link: MeshLink, node: string): string | undefined {
    if (node === this.#identity.id) return 'linked to itself';
    if (this.#reputation.banned([node])) return 'banned for protocol violations';
    if (
      !link.dialed &&
      link.remoteAddress !== undefined &&
      this.#addressReputation.banned([clientKey(link.remoteAddress)])
    )
      return 'address banned for protocol violations';
    return undefined;
  }

  #onOpened(link: MeshLink): void {
    this.#pending.delete(link);
    const id = link.remoteId!;
    const existing = this.#links.get(id);
    if (existing !== undefined) {
      // One link per pair. Both sides keep the one dialed by the lower node id, so a simultaneous
      // dial from both ends converges on the same link; a second dial from the same side loses.
      const dialer = (l: MeshLink): string => (l.dialed ? this.#identity.id : id);
      if (dialer(link) >= dialer(existing)) {
        link.close(meshCloseCodes.duplicate, 'duplicate link');
        return;
      }
      // Swap before closing, so the close does not drop what this node reaches through it.
      this.#links.set(id, link);
      existing.close(meshCloseCodes.duplicate, 'duplicate link');
    } else if (this.#links.size >= this.#config.meshMaxLinks) {
      const victim = evictionVictim(this.#links.values(), (l) => this.#targets.pinned(l.remoteUrl));
      if (victim === undefined) {
        this.#stats.linksRefused++;
        link.close(meshCloseCodes.linkLimit, 'link slots full');
        return;
      }
      this.#stats.linksEvicted++;
      victim.close(meshCloseCodes.evicted, 'evicted for a newer link');
    }
    this.#links.set(id, link);
    this.#onLinksChanged?.([...this.#links.keys()]);
    this.#verified.record(id, link.remoteUrl ?? '', this.#now());
    this.#log.info({ peer: id, url: link.remoteUrl, dialed: link.dialed }, 'mesh link open');
    this.#targets.opened(link);
    const tokens = this.#rooms.localRooms().map((room) => link.interests!.addOurs(room).token);
    for (let i = 0; i < tokens.length || i === 0; i += MESH_MAX_ROOMS_PER_FRAME)
      link.send({ t: 'interest', add: tokens.slice(i, i + MESH_MAX_ROOMS_PER_FRAME), remove: [] });
  }

  #onFrame(link: MeshLink, frame: RoomFrame): void {
    if (frame.t !== 'interest' && frame.t !== 'beats') this.#stats.roomFramesReceived++;
    (
      roomFrameHandlers[frame.t] as (
        ctx: RoomFrameContext,
        link: MeshLink,
        frame: RoomFrame,
      ) => void
    )(this.#frameContext, link, frame);
  }

  #onClosed(link: MeshLink, code: number, reason: string): void {
    this.#pending.delete(link);
    this.#stats.framesDropped += link.framesDropped;
    const error = closeCodeError(code);
    if (link.remoteId !== undefined && this.#links.get(link.remoteId) === link) {
      this.#links.delete(link.remoteId);
      this.#onLinksChanged?.([...this.#links.keys()]);
      this.#log.info({ peer: link.remoteId, code, reason }, 'mesh link closed');
      // Whoever we reached through this link must now prove itself through another.
      this.#presence.owners.linkClosed(link);
    } else if (error !== undefined) {
      this.#log.debug({ code: error, peer: link.remoteId, reason }, 'mesh link refused');
    }
    this.#targets.closed(link, !this.#stopped && code !== meshCloseCodes.duplicate);
  }

  /** A protocol violation by the node behind `link`: reputation, and the link at the threshold. */
  #violation(link: MeshLink, reason: string, points: number): void {
    this.#stats.violations++;
    this.#log.debug({ peer: link.remoteId, reason, points }, 'mesh protocol violation');
    const keys = link.remoteId === undefined ? [] : [link.remoteId];
    const address =
      link.remoteAddress === undefined ? undefined : `addr:${clientKey(link.remoteAddress)}`;
    this.#reputation.penalize(address === undefined ? [] : [address], points);
    if (this.#reputation.penalize(keys, points))
      link.close(meshCloseCodes.banned, `banned: ${reason}`);
  }

  /** Closes links that have shared no room with us for meshIdleCloseMs (static peers stay). */
  #closeIdle(): void {
    const now = this.#now();
    for (const link of this.#links.values()) {
      if ((link.interests?.shared.size ?? 0) > 0 || this.#targets.pinned(link.remoteUrl))
        link.lastShared = now;
      else if (now - link.lastShared >= this.#config.meshIdleCloseMs)
        link.close(meshCloseCodes.normal, 'no shared room');
    }
  }
}
