import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { MESH_MAX_ROOMS_PER_FRAME, type RoomHash, type StatusLink } from '@sigmesh/protocol';
import type { NodeIdentity } from '../identity/node-identity.js';
import type { Logger } from '../log/create-logger.js';
import type { Member } from '../rooms/member.js';
import type { RoomRegistry } from '../rooms/room-registry.js';
import type { RoomMessage, RoomObserver } from '../rooms/room-observer.js';
import { beatHoldMs } from './beat-batches.js';
import { LinkSet } from './link-set.js';
import { meshCloseCodes } from './mesh-close-codes.js';
import { ownChainLength, presenceLimits, type MeshConfig } from './mesh-config.js';
import type { MeshLink, RoomFrame } from './mesh-link.js';
import { emptyMeshStats, type MeshStats } from './mesh-stats.js';
import { MessageRelay } from './message-relay.js';
import { OwnPresence } from './presence/own-presence.js';
import { RemoteOwners } from './presence/remote-owners.js';
import { PresenceSync } from './presence-sync.js';
import { roomFrameHandlers, type RoomFrameContext } from './room-frames.js';
import { createOverlayDialing, type OverlayDialing } from './overlay-dialing.js';
import { LivenessClock } from './liveness-clock.js';
import { SeenIds } from './seen-ids.js';
import { VerifiedNodes, type VerifiedNode } from './verified-nodes.js';

/** Verified nodes remembered for `/nodes`. */
const MAX_VERIFIED = 1000;
/** How often owners' leases and graces are checked. */
const LIVENESS_TICK_MS = 250;

/**
 * Node-to-node relay of rooms (DESIGN §3 mesh; docs/protocol.md § Mesh, docs/security.md).
 * Links are WebSockets at `/mesh`, one per node pair ({@link LinkSet}), opened toward a bounded
 * choice of the nodes discovery found for each room (its overlay, `room-overlay.ts`) and static
 * peers, closed when no overlay needs them, replaced or redialed with backoff when they drop.
 * Rooms are matched by blinded interests; each node owns its
 * members and announces them as signed rosters kept alive by hash-chain beats
 * ({@link PresenceSync}); room messages flood a room's links and are taken only along their
 * owner's route ({@link MessageRelay}).
 */
export class Mesh implements RoomObserver {
  readonly #config: MeshConfig;
  readonly #rooms: RoomRegistry;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #clock: LivenessClock;
  readonly #onLinksChanged: ((ids: string[]) => void) | undefined;
  readonly #links: LinkSet;
  readonly #dialing: OverlayDialing;
  readonly #verified = new VerifiedNodes(MAX_VERIFIED);
  readonly #stats: MeshStats = emptyMeshStats();
  readonly #presence: PresenceSync;
  readonly #relay: MessageRelay;
  readonly #frameContext: RoomFrameContext;
  readonly #timers: NodeJS.Timeout[] = [];
  #beatTimer: NodeJS.Timeout | undefined;
  #stopped = false;
  #lookupRoom: (room: RoomHash) => void = () => undefined;

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
    const { config, identity, rooms } = options;
    // Everything that judges other nodes alive (leases, silence, budgets) runs on the liveness
    // clock; our own beats keep the plain one.
    this.#clock = new LivenessClock(options.now);
    const now = this.#clock.now;
    this.#config = config;
    this.#rooms = rooms;
    this.#log = options.log;
    this.#now = now;
    this.#onLinksChanged = options.onLinksChanged;
    this.#dialing = createOverlayDialing({
      degree: config.meshRoomDegree,
      standby: config.meshStandbyLinks,
      now,
      selfUrl: options.publicUrl,
      links: () => this.#links.values(),
      connect: (url) => this.#links.linkTo(url),
      hasLocal: (room) => this.#rooms.hasLocalMembers(room),
      lookup: (room) => this.#lookupRoom(room),
    });
    this.#links = new LinkSet({
      config,
      identity,
      log: options.log,
      now,
      version: options.version,
      publicUrl: options.publicUrl,
      pinned: (url) => this.#dialing.targets.pinned(url),
      stats: this.#stats,
      events: {
        opened: (link) => this.#opened(link),
        frame: (link, frame) => this.#onFrame(link, frame),
        closed: (link) => {
          this.#onLinksChanged?.(this.#links.ids());
          for (const room of link.interests?.shared ?? []) this.#dialing.overlay.lost(room);
          // Its node must now prove itself through another route; those it relayed keep their lease.
          this.#presence.owners.linkClosed(link, link.remoteId!);
        },
        ended: (link, redial, survivor) => {
          // An open link replaced by a duplicate: what presence held for it goes (its node is
          // linked). A handshake that never opened held nothing.
          if (survivor !== undefined && link.interests !== undefined)
            this.#presence.owners.linkClosed(link, link.remoteId!, true);
          this.#dialing.targets.closed(link, redial && !this.#stopped, survivor);
        },
      },
    });
    const owners = new RemoteOwners({
      limits: presenceLimits(config),
      now,
      onChange: (room, joined, left) => rooms.remoteChanged(room, joined, left),
      onGone: (owner) => this.#presence.gone(owner),
      onVisible: (owner) => this.#presence.visible(owner),
      // An owner linked to us speaks for its members itself, in order (see RemoteOwners).
      directLink: (owner) => this.#links.get(owner),
      askAgain: (owner, asks) =>
        this.#presence.askAgain(owner, asks as { link: MeshLink; rooms: RoomHash[] }[]),
    });
    const sharing = (room: RoomHash): MeshLink[] =>
      [...this.#links.values()].filter((link) => link.interests?.shared.has(room) === true);
    const violation = (link: MeshLink, reason: string, points: number): void =>
      this.#links.violation(link, reason, points);
    this.#presence = new PresenceSync({
      selfId: identity.id,
      own: new OwnPresence({
        identity,
        now: options.now,
        beatMs: config.meshBeatMs,
        chainLength: ownChainLength(config),
        batchMembers: config.presenceBatchMembers,
        holdMs: config.presenceIntervalMs,
      }),
      owners,
      host: { links: () => this.#links.values(), sharing, violation, stats: this.#stats },
      now,
      beatHoldMs: beatHoldMs(config.meshBeatMs),
      pacing: { baseMs: config.meshBeatMs, roomBeatsPerSecond: config.meshRoomBeatsPerSecond },
    });
    this.#relay = new MessageRelay({
      rooms,
      owners,
      seen: new SeenIds(config.meshDedupeSize),
      stats: this.#stats,
      hopLimit: config.meshHopLimit,
      linkFramesPerSecond: config.meshFramesPerSecond,
      now,
      host: {
        sharing,
        linkTo: (id, room) => {
          const link = this.#links.get(id);
          return link?.interests?.shared.has(room) === true ? link : undefined;
        },
        // 20 points per five seconds' worth of allowance dropped: a burst over it is forgiven,
        // a flood of several times the allowance is banned within seconds.
        ownerOverRate: (owner) =>
          this.#links.penalizeNode(
            owner,
            4 / config.meshOwnerMessagesPerSecond,
            'messages over allowance',
          ),
        violation,
      },
    });
    this.#frameContext = {
      presence: this.#presence,
      relay: this.#relay,
      maxRoomsPerLink: config.meshMaxRoomsPerLink,
      shared: (link, room) => {
        link.lastShared = this.#now();
        link.interests!.sharedSince.set(room, link.lastShared);
        this.#presence.shared(link, room);
        this.#dialing.overlay.changed(room);
      },
      unshared: (link, room) => {
        this.#presence.unshared(link, room);
        this.#dialing.overlay.changed(room);
      },
      violation,
    };
    this.#stats.beatMs = config.meshBeatMs;
    rooms.observe(this);
  }

  start(): void {
    if (this.#timers.length > 0 || this.#stopped) return;
    const every = (ms: number, run: () => void): void => {
      const timer = setInterval(run, ms);
      timer.unref();
      this.#timers.push(timer);
    };
    // Each beat says when the next is due: the interval stretches in rooms of many nodes.
    const beat = (): void => {
      if (this.#stopped) return;
      this.#beatTimer = setTimeout(beat, this.#presence.beat());
      this.#beatTimer.unref();
    };
    this.#beatTimer = setTimeout(beat, this.#config.meshBeatMs);
    this.#beatTimer.unref();
    every(LIVENESS_TICK_MS, () => this.#presence.owners.tick());
    every(Math.max(500, this.#config.meshIdleCloseMs / 2), () => {
      this.#dialing.overlay.prune(this.#config.meshIdleCloseMs);
      this.#links.closeIdle(this.#config.meshIdleCloseMs, (link) => this.#dialing.needed(link));
    });
    for (const url of this.#config.meshPeers) this.#dialing.targets.want(url, 'pinned');
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const timer of this.#timers) clearInterval(timer);
    clearTimeout(this.#beatTimer);
    this.#dialing.targets.clear();
    this.#dialing.overlay.stop();
    // Leave gracefully: every node that holds our members hears they are gone before the close.
    for (const room of this.#rooms.localRooms())
      for (const peer of this.#rooms.localPeers(room))
        this.#presence.localChanged(room, peer, false);
    this.#presence.flushOwn('all');
    this.#presence.stop();
    this.#links.stop();
    this.#clock.stop();
  }

  /** Accepts an HTTP upgrade on `/mesh` (wired to the HTTP server's `upgrade` event). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#links.handleUpgrade(request, socket, head);
  }

  /**
   * The node at `url` (its HTTP base URL) has members in `room`: a candidate of the room's
   * overlay, linked to when it is among this node's picks (`room-overlay.ts`), redialed with
   * backoff or replaced while the room has local members here.
   */
  want(url: string, room: RoomHash): void {
    if (!this.#stopped) this.#dialing.overlay.found(url, room);
  }

  /** How the overlay asks discovery to look a room up again (set by the discovery bridge). */
  setRoomLookup(lookup: (room: RoomHash) => void): void {
    this.#lookupRoom = lookup;
  }

  /**
   * Dials `url` once and resolves with the other node's id when the handshake completes. With
   * `expectedId`, a node presenting another key is refused. An existing link is reused. A `probe`
   * (a node verified for `/nodes`) is closed once verified unless a room's overlay picked it.
   */
  async connect(url: string, expectedId?: string, probe = false): Promise<string> {
    if (this.#stopped) throw new Error('the mesh is stopped');
    if (expectedId !== undefined && this.#links.get(expectedId) !== undefined) return expectedId;
    const link = this.#links.open(url, expectedId);
    if (!probe) return link.ready;
    this.#dialing.probe(link);
    const id = await link.ready;
    if (!this.#dialing.needed(link)) link.close(meshCloseCodes.normal, 'node verified');
    return id;
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
    return [...this.#links.values()].map((link) => ({
      id: link.remoteId!,
      url: link.remoteUrl ?? '',
    }));
  }

  /** The remote members this node counts as present in `room` (its view, for tests and status). */
  remoteMembers(room: RoomHash): string[] {
    return this.#presence.owners.members(room);
  }

  /** Open links (what `GET /` shows: cheaper than {@link stats}, which walks the owners). */
  get linkCount(): number {
    return this.#links.size;
  }

  stats(): Readonly<MeshStats> {
    let owners = 0;
    for (const owner of this.#presence.owners.owners()) if (owner.visible) owners++;
    return {
      ...this.#stats,
      links: this.#links.size,
      framesDropped: this.#stats.framesDropped + this.#links.framesDropped(),
      owners,
      remoteMembers: this.#presence.owners.total,
      presenceLinks: this.#presence.owners.linksHeld(),
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
    this.#presence.flushOwn(room);
    for (const link of this.#links.values()) {
      const token = link.interests!.removeOurs(room);
      if (token !== undefined) link.send({ t: 'interest', add: [], remove: [token] });
    }
    this.#presence.owners.closeRoom(room);
    this.#dialing.targets.roomClosed(room);
    this.#dialing.overlay.roomClosed(room);
  }

  memberJoined(member: Member): void {
    this.#presence.localChanged(member.room, member.peerId, true);
  }

  memberLeft(member: Member): void {
    this.#presence.localChanged(member.room, member.peerId, false);
  }

  published(message: RoomMessage): void {
    if (this.#links.size === 0) return;
    // A message for a member of this node was delivered here; no other node needs a copy.
    if (message.to !== undefined && this.#rooms.isLocal(message.room, message.to)) return;
    // A member that joined in this same turn (or while its large room is held) must be in our
    // roster before its first message: other nodes take messages only from members its owner lists.
    this.#presence.announce(message.room, message.from);
    this.#relay.published(message);
  }

  /** A link holds its slot: record the node, and tell it our rooms (blinded). */
  #opened(link: MeshLink): void {
    const id = link.remoteId!;
    this.#onLinksChanged?.(this.#links.ids());
    this.#verified.record(id, link.remoteUrl ?? '', this.#now());
    this.#log.info({ peer: id, url: link.remoteUrl, dialed: link.dialed }, 'mesh link open');
    this.#dialing.targets.opened(link);
    this.#dialing.overlay.up(link.remoteUrl);
    const tokens = this.#rooms.localRooms().map((room) => link.interests!.addOurs(room).token);
    for (let i = 0; i < tokens.length || i === 0; i += MESH_MAX_ROOMS_PER_FRAME)
      link.send({ t: 'interest', add: tokens.slice(i, i + MESH_MAX_ROOMS_PER_FRAME), remove: [] });
  }

  #onFrame(link: MeshLink, frame: RoomFrame): void {
    if (frame.t !== 'interest' && frame.t !== 'beats') this.#stats.roomFramesReceived++;
    if (frame.t === 'message') this.#stats.messageFramesReceived++;
    (
      roomFrameHandlers[frame.t] as (
        ctx: RoomFrameContext,
        link: MeshLink,
        frame: RoomFrame,
      ) => void
    )(this.#frameContext, link, frame);
  }
}
