import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  MESH_MAX_ROOMS_PER_FRAME,
  MESH_MAX_PEERS_PER_FRAME,
  type MeshFrame,
  type PeerId,
  type PresenceFrame,
  type RelayFrame,
  type RoomHash,
  type StatusLink,
} from '@sigmesh/protocol';
import { WebSocket, WebSocketServer } from 'ws';
import type { NodeConfig } from '../config/node-options.js';
import type { NodeIdentity } from '../identity/node-identity.js';
import type { Logger } from '../log/create-logger.js';
import type { Member } from '../rooms/member.js';
import type { RoomRegistry } from '../rooms/room-registry.js';
import type { RoomMessage, RoomObserver } from '../rooms/room-observer.js';
import { closeCodeError, meshCloseCodes } from './mesh-close-codes.js';
import { DialTargets } from './dial-targets.js';
import { MeshLink, type LinkHandlers } from './mesh-link.js';
import { emptyMeshStats, type MeshStats } from './mesh-stats.js';
import { roomFrameHandlers, type RoomFrame, type RoomFrameContext } from './room-frames.js';
import { SeenIds } from './seen-ids.js';
import { VerifiedNodes, type VerifiedNode } from './verified-nodes.js';

type MeshConfig = Pick<
  NodeConfig,
  | 'meshMaxLinks'
  | 'meshHopLimit'
  | 'meshMaxFrameBytes'
  | 'meshFramesPerSecond'
  | 'meshMaxBufferedBytes'
  | 'meshIdleCloseMs'
  | 'meshHandshakeTimeoutMs'
  | 'meshDedupeSize'
>;

/** Verified nodes remembered for `/nodes`. */
const MAX_VERIFIED = 1000;

/**
 * Node-to-node relay of rooms (DESIGN §3 mesh). Links are WebSockets at `/mesh`, one per node
 * pair, opened on demand toward nodes discovery found for a room, closed when no room is shared
 * any more, redialed with backoff while still wanted. Room frames flood to linked nodes that
 * declared interest in the room, with id dedupe and a hop limit, so full and partial meshes both
 * work; a message for one peer follows the route its presence came in on.
 */
export class Mesh implements RoomObserver {
  readonly #config: MeshConfig;
  readonly #identity: NodeIdentity;
  readonly #rooms: RoomRegistry;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #version: string;
  readonly #publicUrl: () => string;
  readonly #onLinksChanged: ((addresses: string[]) => void) | undefined;
  readonly #links = new Map<string, MeshLink>();
  readonly #pending = new Set<MeshLink>();
  readonly #targets: DialTargets;
  readonly #verified = new VerifiedNodes(MAX_VERIFIED);
  readonly #seen: SeenIds;
  readonly #wss: WebSocketServer;
  readonly #handlers: LinkHandlers;
  readonly #stats: MeshStats = emptyMeshStats();
  readonly #frameContext: RoomFrameContext;
  #sweep: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: {
    config: MeshConfig;
    identity: NodeIdentity;
    rooms: RoomRegistry;
    log: Logger;
    now: () => number;
    version: string;
    publicUrl: () => string;
    /** Called with {@link linkedAddresses} whenever a link opens or closes. */
    onLinksChanged?: (addresses: string[]) => void;
  }) {
    this.#config = options.config;
    this.#identity = options.identity;
    this.#rooms = options.rooms;
    this.#log = options.log;
    this.#now = options.now;
    this.#version = options.version;
    this.#publicUrl = options.publicUrl;
    this.#onLinksChanged = options.onLinksChanged;
    this.#seen = new SeenIds(options.config.meshDedupeSize);
    this.#frameContext = {
      rooms: options.rooms,
      seen: this.#seen,
      stats: this.#stats,
      flood: (frame, from) => this.#flood(frame, from),
      relay: (frame, from) => this.#relay(frame, from),
      sendMembers: (link, room) => this.#sendMembers(link, room),
    };
    this.#targets = new DialTargets({
      connect: (url) => this.#linkTo(url),
      stillWanted: (room) => this.#rooms.localPeers(room).length > 0,
    });
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.config.meshMaxFrameBytes,
    });
    this.#handlers = {
      opened: (link) => this.#onOpened(link),
      frame: (link, frame) => this.#onFrame(link, frame),
      closed: (link, code, reason) => this.#onClosed(link, code, reason),
    };
    options.rooms.observe(this);
  }

  start(): void {
    if (this.#sweep !== undefined) return;
    this.#sweep = setInterval(
      () => this.#closeIdle(),
      Math.max(500, this.#config.meshIdleCloseMs / 2),
    );
    this.#sweep.unref();
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#sweep);
    this.#targets.clear();
    for (const link of [...this.#links.values(), ...this.#pending])
      link.close(meshCloseCodes.normal, 'node stopping');
    this.#wss.close();
  }

  /** Accepts an HTTP upgrade on `/mesh` (wired to the HTTP server's `upgrade` event). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#stopped || this.#links.size + this.#pending.size >= this.#config.meshMaxLinks) {
      this.#stats.linksRefused++;
      this.#log.debug({ code: 'MESH_LINK_LIMIT' }, 'mesh link refused');
      socket.end(
        'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    const address = request.socket.remoteAddress;
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      this.#adopt(ws, false).remoteAddress = address;
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

  /** Nodes whose handshake completed within `maxAgeMs`, newest first. */
  verifiedNodes(maxAgeMs: number): VerifiedNode[] {
    return this.#verified.since(this.#now() - maxAgeMs);
  }

  /** The open links: the other node's id and the URL it announced in the signed handshake. */
  links(): StatusLink[] {
    return [...this.#links].map(([id, link]) => ({ id, url: link.remoteUrl ?? '' }));
  }

  stats(): Readonly<MeshStats> {
    let dropped = this.#stats.framesDropped;
    for (const link of [...this.#links.values(), ...this.#pending]) dropped += link.framesDropped;
    return { ...this.#stats, links: this.#links.size, framesDropped: dropped };
  }

  // RoomObserver: what local rooms do, the mesh tells linked nodes.

  roomOpened(room: RoomHash): void {
    this.#broadcast({ t: 'interest', add: [room], remove: [] });
  }

  roomClosed(room: RoomHash): void {
    this.#broadcast({ t: 'interest', add: [], remove: [room] });
    this.#targets.roomClosed(room);
  }

  memberJoined(member: Member): void {
    this.#flood(
      {
        t: 'presence',
        id: newId(),
        room: member.room,
        peer: member.peerId,
        joined: true,
        hops: this.#config.meshHopLimit,
      },
      undefined,
    );
  }

  memberLeft(member: Member): void {
    this.#flood(
      {
        t: 'presence',
        id: newId(),
        room: member.room,
        peer: member.peerId,
        joined: false,
        hops: this.#config.meshHopLimit,
      },
      undefined,
    );
  }

  published(message: RoomMessage): void {
    this.#seen.add(message.id);
    this.#relay({ t: 'message', ...message, hops: this.#config.meshHopLimit }, undefined);
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
    const link = this.#adopt(ws, true, expectedId);
    ws.once('upgrade', (response) => (link.remoteAddress = response.socket.remoteAddress));
    return link;
  }

  /** IP addresses of the nodes we have open links to (their TURN relays may be our peers). */
  linkedAddresses(): string[] {
    const addresses = new Set<string>();
    for (const link of this.#links.values())
      if (link.remoteAddress !== undefined) addresses.add(link.remoteAddress);
    return [...addresses];
  }

  #adopt(ws: WebSocket, dialed: boolean, expectedId?: string): MeshLink {
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
      },
      log: this.#log,
      now: this.#now,
      ...(expectedId === undefined ? {} : { expectedId }),
    });
    this.#pending.add(link);
    return link;
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
      // Swap before closing, so the close does not drop the routes through this node.
      this.#links.set(id, link);
      existing.close(meshCloseCodes.duplicate, 'duplicate link');
    }
    this.#links.set(id, link);
    this.#onLinksChanged?.(this.linkedAddresses());
    this.#verified.record(id, link.remoteUrl ?? '', this.#now());
    this.#log.info({ peer: id, url: link.remoteUrl, dialed: link.dialed }, 'mesh link open');
    this.#targets.opened(link);
    const rooms = this.#rooms.localRooms();
    for (let i = 0; i < rooms.length || i === 0; i += MESH_MAX_ROOMS_PER_FRAME) {
      link.send({ t: 'interest', add: rooms.slice(i, i + MESH_MAX_ROOMS_PER_FRAME), remove: [] });
    }
  }

  #onFrame(link: MeshLink, frame: RoomFrame): void {
    if (frame.t !== 'interest') this.#stats.roomFramesReceived++;
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
      this.#onLinksChanged?.(this.linkedAddresses());
      this.#log.info({ peer: link.remoteId, code, reason }, 'mesh link closed');
      // Peers reached through this link are gone; tell local members and the rest of the mesh.
      for (const { room, peerId } of this.#rooms.dropRoute(link.remoteId)) {
        this.#flood(
          {
            t: 'presence',
            id: newId(),
            room,
            peer: peerId,
            joined: false,
            hops: this.#config.meshHopLimit,
          },
          undefined,
        );
      }
    } else if (error !== undefined) {
      this.#log.debug({ code: error, peer: link.remoteId, reason }, 'mesh link refused');
    }
    this.#targets.closed(link, !this.#stopped && code !== meshCloseCodes.duplicate);
  }

  /** Sends the peers we can reach in `room` (split horizon: not those reached through `link`). */
  #sendMembers(link: MeshLink, room: RoomHash): void {
    const peers: PeerId[] = [
      ...this.#rooms.localPeers(room),
      ...this.#rooms.remotePeers(room, link.remoteId),
    ];
    for (let i = 0; i < peers.length; i += MESH_MAX_PEERS_PER_FRAME) {
      link.send({ t: 'members', room, peers: peers.slice(i, i + MESH_MAX_PEERS_PER_FRAME) });
    }
  }

  /** A message goes toward its addressee's route when known, else floods the room. */
  #relay(frame: RelayFrame, from: MeshLink | undefined): void {
    if (frame.to !== undefined) {
      const route = this.#rooms.routeOf(frame.room, frame.to);
      const link = route === undefined ? undefined : this.#links.get(route);
      if (link !== undefined && link !== from) {
        link.send(frame);
        this.#stats.framesRelayed++;
        return;
      }
    }
    this.#flood(frame, from);
  }

  /** Sends a frame once to every linked node interested in its room, except where it came from. */
  #flood(frame: PresenceFrame | RelayFrame, from: MeshLink | undefined): void {
    let text: string | undefined;
    for (const link of this.#links.values()) {
      if (link === from || !link.interests.has(frame.room)) continue;
      text ??= JSON.stringify(frame);
      link.sendRaw(text);
      this.#stats.framesRelayed++;
    }
  }

  #broadcast(frame: MeshFrame): void {
    const text = JSON.stringify(frame);
    for (const link of this.#links.values()) link.sendRaw(text);
  }

  /** Closes links that have shared no room with us for meshIdleCloseMs. */
  #closeIdle(): void {
    const now = this.#now();
    for (const link of this.#links.values()) {
      if ([...link.interests].some((room) => this.#rooms.localPeers(room).length > 0))
        link.lastShared = now;
      else if (now - link.lastShared >= this.#config.meshIdleCloseMs)
        link.close(meshCloseCodes.normal, 'no shared room');
    }
  }
}

function newId(): string {
  return randomBytes(16).toString('hex');
}
