import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { NodeIdentity } from '../identity/node-identity.js';
import type { Logger } from '../log/create-logger.js';
import { clientKey } from '../pow/client-key.js';
import { attachSocket } from '../sockets/turn-sends.js';
import { replacesLink, type LinkOrigin } from './duplicate-links.js';
import { admissionPrice, evictionVictim } from './link-slots.js';
import { closeCodeError, meshCloseCodes } from './mesh-close-codes.js';
import { MeshLink, type RoomFrame } from './mesh-link.js';
import type { MeshConfig } from './mesh-config.js';
import type { MeshStats } from './mesh-stats.js';
import { Reputation } from './reputation.js';

/** Handshakes in flight from one address. */
const MAX_PENDING_PER_ADDRESS = 4;
/** Reputation points halve this often; a ban lasts at least this long. */
const REPUTATION_HALF_LIFE_MS = 10 * 60_000;

/** What the link set tells the mesh. */
export interface LinkSetEvents {
  /** A link completed its handshake and holds a slot (duplicates and evictions settled). */
  opened(link: MeshLink): void;
  frame(link: MeshLink, frame: RoomFrame): void;
  /** An open link closed. */
  closed(link: MeshLink): void;
  /**
   * Any link (open, refused or failed) is gone; `redial` unless it lost a duplicate race. When
   * another link to that node stays open, `survivor` is that link (an open link replaced by it
   * never fires `closed`: this is where what it held goes).
   */
  ended(link: MeshLink, redial: boolean, survivor?: MeshLink): void;
}

/**
 * The mesh's links, one per node pair, and who gets one: handshakes in flight capped in total
 * and per address, admission work priced by how full the slots are, strangers evicted for
 * newcomers, and reputation per node id and per address (at 4× the points: many honest nodes may
 * share one), with bans refused at the upgrade and at the hello.
 */
export class LinkSet {
  readonly #links = new Map<string, MeshLink>();
  readonly #pending = new Set<MeshLink>();
  readonly #config: MeshConfig;
  readonly #identity: NodeIdentity;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #version: string;
  readonly #publicUrl: () => string;
  readonly #pinned: (url: string | undefined) => boolean;
  readonly #events: LinkSetEvents;
  readonly #stats: MeshStats;
  readonly #wss: WebSocketServer;
  readonly #reputation: Reputation;
  readonly #addressReputation: Reputation;
  #stopped = false;

  constructor(options: {
    config: MeshConfig;
    identity: NodeIdentity;
    log: Logger;
    now: () => number;
    version: string;
    publicUrl: () => string;
    /** Static peers are never evicted. */
    pinned: (url: string | undefined) => boolean;
    events: LinkSetEvents;
    stats: MeshStats;
  }) {
    this.#config = options.config;
    this.#identity = options.identity;
    this.#log = options.log;
    this.#now = options.now;
    this.#version = options.version;
    this.#publicUrl = options.publicUrl;
    this.#pinned = options.pinned;
    this.#events = options.events;
    this.#stats = options.stats;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.config.meshMaxFrameBytes,
    });
    const reputation = (banPoints: number): Reputation =>
      new Reputation({
        banPoints,
        halfLifeMs: REPUTATION_HALF_LIFE_MS,
        maxEntries: 10_000,
        now: options.now,
      });
    this.#reputation = reputation(options.config.meshBanPoints);
    this.#addressReputation = reputation(options.config.meshBanPoints * 4);
  }

  /** Open links. */
  values(): IterableIterator<MeshLink> {
    return this.#links.values();
  }

  /** The open link to node `id`. */
  get(id: string): MeshLink | undefined {
    return this.#links.get(id);
  }

  get size(): number {
    return this.#links.size;
  }

  /** Ids of the nodes linked now. */
  ids(): string[] {
    return [...this.#links.keys()];
  }

  /** Frames dropped by the rate limit on the links still open or handshaking. */
  framesDropped(): number {
    let dropped = 0;
    for (const link of [...this.#links.values(), ...this.#pending]) dropped += link.framesDropped;
    return dropped;
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
      attachSocket(ws, socket);
      this.#adopt(ws, false, address);
    });
  }

  /** A link toward `url`: the existing one when the node there already linked to us, else a dial. */
  linkTo(url: string): MeshLink {
    return [...this.#links.values()].find((link) => link.remoteUrl === url) ?? this.open(url);
  }

  /** Dials `url`; with `expectedId`, a node presenting another key is refused. */
  open(url: string, expectedId?: string): MeshLink {
    const wsUrl = `${url.replace(/^http/, 'ws').replace(/\/$/, '')}/mesh`;
    const ws = new WebSocket(wsUrl, {
      maxPayload: this.#config.meshMaxFrameBytes,
      handshakeTimeout: this.#config.meshHandshakeTimeoutMs,
    });
    const link = this.#adopt(ws, true, undefined, expectedId);
    ws.once('upgrade', (response) => {
      link.remoteAddress = response.socket.remoteAddress;
      attachSocket(ws, response.socket);
    });
    return link;
  }

  /** A protocol violation by the node behind `link`: reputation, and the link at the threshold. */
  violation(link: MeshLink, reason: string, points: number): void {
    this.#stats.violations++;
    this.#log.debug({ peer: link.remoteId, reason, points }, 'mesh protocol violation');
    if (link.remoteAddress !== undefined)
      this.#addressReputation.penalize([clientKey(link.remoteAddress)], points);
    if (link.remoteId !== undefined && this.#reputation.penalize([link.remoteId], points))
      link.close(meshCloseCodes.banned, `banned: ${reason}`);
  }

  /** Points against a node by id (an owner whose members misbehave), cutting its link when banned. */
  penalizeNode(id: string, points: number, reason: string): void {
    if (this.#reputation.penalize([id], points))
      this.#links.get(id)?.close(meshCloseCodes.banned, `banned: ${reason}`);
  }

  /** Closes links that `needed` has not kept for `idleMs` (static peers stay). */
  closeIdle(idleMs: number, needed: (link: MeshLink) => boolean): void {
    const now = this.#now();
    for (const link of this.#links.values()) {
      if (needed(link) || this.#pinned(link.remoteUrl)) link.lastShared = now;
      else if (now - link.lastShared >= idleMs) link.close(meshCloseCodes.normal, 'no shared room');
    }
  }

  /** Closes every link and stops accepting. */
  stop(): void {
    this.#stopped = true;
    for (const link of [...this.#links.values(), ...this.#pending])
      link.close(meshCloseCodes.normal, 'node stopping');
    this.#wss.close();
  }

  #adopt(
    ws: WebSocket,
    dialed: boolean,
    address: string | undefined,
    expectedId?: string,
  ): MeshLink {
    const link = new MeshLink({
      ws,
      dialed,
      identity: this.#identity,
      publicUrl: this.#publicUrl(),
      version: this.#version,
      handlers: {
        admit: (l, node) => this.#admit(l, node),
        opened: (l) => this.#onOpened(l),
        frame: (l, frame) => this.#events.frame(l, frame),
        violation: (l, reason, points) => this.violation(l, reason, points),
        closed: (l, code, reason) => this.#onClosed(l, code, reason),
      },
      limits: {
        framesPerSecond: this.#config.meshFramesPerSecond,
        maxBufferedBytes: this.#config.meshMaxBufferedBytes,
        handshakeTimeoutMs: this.#config.meshHandshakeTimeoutMs,
        pingMs: this.#config.meshPingMs,
        silenceMs: this.#config.meshSilenceMs,
        admit: admissionPrice(
          this.#links.size + this.#pending.size,
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
      // One link per pair, and both ends must keep the same one (see replacesLink).
      const origin = (l: MeshLink): LinkOrigin => ({
        dialer: l.dialed ? this.#identity.id : id,
        nonce: l.dialerNonce ?? '',
      });
      if (!replacesLink(origin(link), origin(existing))) {
        link.close(meshCloseCodes.duplicate, 'duplicate link');
        return;
      }
      // Swap before closing, so the close does not drop what this node reaches through it.
      this.#links.set(id, link);
      existing.close(meshCloseCodes.duplicate, 'duplicate link');
    } else if (this.#links.size >= this.#config.meshMaxLinks) {
      const victim = evictionVictim(this.#links.values(), (l) => this.#pinned(l.remoteUrl));
      if (victim === undefined) {
        this.#stats.linksRefused++;
        link.close(meshCloseCodes.linkLimit, 'link slots full');
        return;
      }
      this.#stats.linksEvicted++;
      victim.close(meshCloseCodes.evicted, 'evicted for a newer link');
    }
    this.#links.set(id, link);
    this.#events.opened(link);
  }

  #onClosed(link: MeshLink, code: number, reason: string): void {
    this.#pending.delete(link);
    this.#stats.framesDropped += link.framesDropped;
    if (link.remoteId !== undefined && this.#links.get(link.remoteId) === link) {
      this.#links.delete(link.remoteId);
      this.#log.info({ peer: link.remoteId, code, reason }, 'mesh link closed');
      this.#events.closed(link);
    } else {
      const error = closeCodeError(code);
      if (error !== undefined)
        this.#log.debug({ code: error, peer: link.remoteId, reason }, 'mesh link refused');
    }
    // Another link to the same node is open (this one lost a duplicate race, or was replaced and
    // then dropped, whatever its close code): nothing to redial, and what it held goes.
    const survivor = link.remoteId === undefined ? undefined : this.#links.get(link.remoteId);
    if (survivor !== undefined && survivor !== link) this.#events.ended(link, false, survivor);
    else this.#events.ended(link, !this.#stopped && code !== meshCloseCodes.duplicate);
  }
}
