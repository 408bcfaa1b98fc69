import {
  deriveRoomHash,
  SigmeshError,
  trackerIdToHex,
  type ErrorCode,
  type TrackerId,
  type TrackerRequest,
} from '@sigmesh/protocol';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { NodeConfig } from '../../config/node-options.js';
import type { Logger } from '../../log/create-logger.js';
import type { RoomRegistry } from '../../rooms/room-registry.js';
import { attachSocket } from '../../sockets/turn-sends.js';
import { handleAnnounce } from './announce-handler.js';
import type { LoadAdmission } from './load-admission.js';
import { RateBucket } from './rate-bucket.js';
import { handleScrape } from './scrape-handler.js';
import type { ParkBudget } from './offer-park.js';
import { PREFERRING_MAX_MEMBERS } from './swarm.js';
import { Swarm, type SwarmPeer } from './swarm.js';
import { SwarmFederation } from './swarm-federation.js';
import { swarmMessage, swarmPresence, WHO_RETRY_MS } from './swarm-inbox.js';
import { TrackerCounters } from './tracker-counters.js';
import { TrackerConnection, type AddressState, type ConnectionHost } from './tracker-connection.js';

/** Bursts are this many seconds' worth of a per-connection or per-address rate. */
const BURST_SECONDS = 8;
/** Questions (`who`) sent per swarm per sweep. */
const WHO_PER_SWEEP = 128;
/** Questions to one member before it is left unidentified. */
const WHO_ATTEMPTS = 3;

type Handler<R extends TrackerRequest> = (
  tracker: Tracker,
  connection: TrackerConnection,
  request: R,
) => void;

/** One handler per request action, checked by the compiler. */
const handlers: {
  [A in TrackerRequest['action']]: Handler<Extract<TrackerRequest, { action: A }>>;
} = { announce: handleAnnounce, scrape: handleScrape };

/**
 * The tracker's state on one node: swarms with local peers, connections, per-address limits,
 * and the federation of each swarm through its room. Everything a client does arrives through
 * {@link handle}; everything other nodes do, through the room members' event sinks.
 */
export class Tracker implements ConnectionHost {
  /** Swarms with local peers, by info_hash. */
  readonly swarms = new Map<TrackerId, Swarm>();
  readonly connections = new Set<TrackerConnection>();
  readonly addresses = new Map<string, AddressState>();
  readonly counters = new TrackerCounters();
  readonly federation: SwarmFederation;
  /** Swarms with members on other nodes not identified yet. */
  readonly unidentified = new Set<Swarm>();
  readonly maxOffers: number;
  readonly offerTimeoutMs: number;
  readonly #timers = new Set<NodeJS.Timeout>();
  /** What every swarm's kept offers hold (offer-park.ts). */
  readonly #parkBudget: ParkBudget = { chars: 0 };
  #nextConnection = 1;

  constructor(
    readonly config: NodeConfig,
    readonly rooms: RoomRegistry,
    readonly admission: LoadAdmission,
    readonly log: Logger,
    readonly now: () => number,
  ) {
    this.maxOffers = config.trackerMaxOffers;
    this.offerTimeoutMs = config.trackerOfferTimeoutSeconds * 1000;
    const rate = config.trackerMeshMessagesPerSecond;
    this.federation = new SwarmFederation(
      rooms,
      new RateBucket(rate, rate * 2, now()),
      now,
      config.meshMaxFrameBytes,
      this.counters,
    );
  }

  /**
   * Adopts an upgraded socket (and the transport under it) from a client address (the caller
   * checked the address's caps).
   */
  accept(socket: WebSocket, transport: Duplex, addressKey: string): TrackerConnection {
    const now = this.now();
    const c = this.config;
    let address = this.addresses.get(addressKey);
    if (address === undefined) {
      address = {
        connections: 0,
        peers: 0,
        announces: bucket(c.trackerAddressAnnouncesPerSecond, now),
        offers: bucket(c.trackerAddressOffersPerSecond, now),
      };
      this.addresses.set(addressKey, address);
    }
    address.connections++;
    attachSocket(socket, transport);
    const connection = new TrackerConnection(
      this.#nextConnection++,
      address,
      addressKey,
      socket,
      bucket(c.trackerAnnouncesPerSecond, now),
      bucket(c.trackerOffersPerSecond, now),
      this,
    );
    this.connections.add(connection);
    this.counters.add('connections_opened');
    return connection;
  }

  /** Connections an address holds now. */
  connectionsOf(addressKey: string): number {
    return this.addresses.get(addressKey)?.connections ?? 0;
  }

  handle(connection: TrackerConnection, request: TrackerRequest): void {
    (handlers[request.action] as Handler<TrackerRequest>)(this, connection, request);
  }

  refused(code: ErrorCode): void {
    this.counters.refused(code);
  }

  closed(connection: TrackerConnection): void {
    if (!this.connections.delete(connection)) return;
    for (const peer of [...connection.peers.values()]) this.leave(peer);
    const address = connection.address;
    address.connections--;
    if (address.connections <= 0) this.addresses.delete(connection.addressKey);
  }

  /**
   * Makes `connection` a peer of the swarm `infoHash` as `peerId`: a member of the swarm's room
   * (with a key of its own, so tracker peers never count against the native per-address stream
   * cap), within the per-connection and per-address swarm caps, the node's room caps and its load.
   */
  join(
    connection: TrackerConnection,
    infoHash: TrackerId,
    peerId: TrackerId,
    seed: boolean,
  ): SwarmPeer | { code: ErrorCode; message: string } {
    const c = this.config;
    if (connection.peers.size >= c.trackerMaxSwarmsPerConnection)
      return {
        code: 'TRACKER_TOO_MANY_SWARMS',
        message: `at most ${c.trackerMaxSwarmsPerConnection} swarms per connection`,
      };
    if (connection.address.peers >= c.trackerMaxPeersPerAddress)
      return {
        code: 'TRACKER_TOO_MANY_SWARMS',
        message: `at most ${c.trackerMaxPeersPerAddress} swarm peers per address`,
      };
    if (this.admission.overloaded())
      return { code: 'TRACKER_OVERLOADED', message: 'the node is too busy to admit new peers' };
    let swarm = this.swarms.get(infoHash);
    const hex = swarm?.hex ?? trackerIdToHex(infoHash);
    const room = swarm?.room ?? deriveRoomHash('dialect:tracker', hex);
    const clientKey = `tracker#${connection.id}`;
    try {
      this.rooms.checkJoin(room, clientKey);
    } catch (error) {
      if (error instanceof SigmeshError) return { code: error.code, message: error.message };
      throw error;
    }
    if (swarm === undefined) {
      swarm = new Swarm(infoHash, hex, room, this.#parkBudget);
      this.swarms.set(infoHash, swarm);
    }
    const target = swarm;
    // The sink is made before the peer it serves (the member is part of the peer).
    const ref: { peer?: SwarmPeer } = {};
    const member = this.rooms.join(room, clientKey, {
      kind: 'events',
      message: (message) => {
        if (ref.peer !== undefined) swarmMessage(this, ref.peer, message);
      },
      presence: (change) => swarmPresence(this, target, change),
    });
    const now = this.now();
    const peer: SwarmPeer = {
      swarm,
      connection,
      peerId,
      member,
      seed,
      lastAnnounce: now,
      joinedAt: now,
      pairedWith: undefined,
      sent: new Map(),
      received: new Map(),
      outbox: [],
      toldSilent: false,
      left: false,
    };
    ref.peer = peer;
    swarm.local.set(peerId, peer);
    swarm.byMember.set(member.peerId, peer);
    swarm.census.set(member.peerId, peerId, seed);
    connection.peers.set(infoHash, peer);
    connection.address.peers++;
    this.rooms.announceJoin(member);
    // The mesh sends the join at the end of this turn (setImmediate, queued before this one):
    // only then may this member's messages follow it to other nodes.
    setImmediate(() => {
      const outbox = peer.outbox ?? [];
      peer.outbox = undefined;
      for (const send of outbox) send();
    });
    this.counters.add('peers_joined');
    return peer;
  }

  /** Removes a peer from its swarm (stopped, expired, taken over, or its socket closed). */
  leave(peer: SwarmPeer): void {
    if (peer.left) return;
    peer.left = true;
    const { swarm, connection } = peer;
    swarm.local.delete(peer.peerId);
    swarm.byMember.delete(peer.member.peerId);
    swarm.census.delete(peer.member.peerId);
    swarm.forget(peer.member.peerId);
    connection.peers.delete(swarm.infoHash);
    connection.address.peers--;
    this.rooms.leave(peer.member);
    if (swarm.local.size === 0) {
      // The room closed with its last local member: what we knew of it is stale from now on.
      swarm.parked.clear();
      this.swarms.delete(swarm.infoHash);
      this.unidentified.delete(swarm);
    }
  }

  /** Seeding changed: counted here, and told to the other nodes of the swarm. */
  setSeed(peer: SwarmPeer, seed: boolean): void {
    if (peer.seed === seed) return;
    peer.seed = seed;
    peer.swarm.census.set(peer.member.peerId, peer.peerId, seed);
    if (peer.swarm.census.size > peer.swarm.local.size) this.federation.identify(peer);
  }

  /** Swarm counts (mesh-wide, by distinct peer_id) and the interval to give `peer`. */
  reply(
    swarm: Swarm | undefined,
    peer: SwarmPeer | undefined,
  ): {
    complete: number;
    incomplete: number;
    interval: number;
  } {
    const counts = swarm?.census.counts() ?? { complete: 0, incomplete: 0 };
    // Alone in the swarm: come back soon, in case a peer joined elsewhere at the same moment. So
    // does a newcomer that has not paired yet in its first interval: its first offers may have
    // gone where they were not answered (Trystero answers only the smaller peer_id's offer), and
    // it would otherwise try again only a whole interval later.
    // In a small swarm (a Trystero room: every page connects to every other), so does a peer
    // while members it has not paired with remain: a page offers only at its announces, and a
    // later page with a larger peer_id meets it only through one of those offers
    // (offer-relay.ts `unparkOffers`).
    const alone = counts.complete + counts.incomplete <= (peer === undefined ? 0 : 1);
    const soon =
      alone ||
      (peer !== undefined &&
        ((peer.pairedWith === undefined &&
          this.now() - peer.joinedAt < this.config.trackerIntervalSeconds * 1000) ||
          unpairedLeft(peer, counts)));
    const interval = soon
      ? this.config.trackerLoneIntervalSeconds
      : this.config.trackerIntervalSeconds;
    return { ...counts, interval };
  }

  /** Runs `task` after `ms` unless the tracker stops first. */
  later(ms: number, task: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      task();
    }, ms);
    this.#timers.add(timer);
  }

  /**
   * Periodic work: peers that stopped announcing leave, connections that went silent close,
   * remembered offers expire, and members on other nodes not identified yet are asked.
   */
  sweep(): void {
    const now = this.now();
    const timeout = this.config.trackerPeerTimeoutSeconds * 1000;
    for (const connection of [...this.connections]) {
      if (now - connection.lastHeard > timeout) {
        connection.close(1000, 'silent', true);
        continue;
      }
      for (const peer of [...connection.peers.values()]) {
        if (now - peer.lastAnnounce > timeout) {
          this.counters.add('peers_expired');
          this.leave(peer);
          continue;
        }
        expire(peer.sent, now - this.offerTimeoutMs);
        expire(peer.received, now - this.offerTimeoutMs);
      }
    }
    for (const swarm of this.swarms.values()) {
      for (const [key, { until }] of swarm.remotePlaced) {
        // Insertion order is expiry order (one fixed lifetime): stop at the first live one.
        if (until > now) break;
        swarm.remotePlaced.delete(key);
      }
      swarm.parked.sweep(now);
    }
    this.#askUnidentified(now);
  }

  /** Closes every connection; every peer leaves its room. */
  stop(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const connection of [...this.connections]) connection.close(1001, 'node stopping');
  }

  #askUnidentified(now: number): void {
    for (const swarm of [...this.unidentified]) {
      if (swarm.unknown.size === 0) {
        this.unidentified.delete(swarm);
        continue;
      }
      if (!this.askDue(swarm, now)) return;
    }
  }

  /**
   * Asks the members of `swarm` on other nodes whose question is due who they are (`who`), up to
   * {@link WHO_PER_SWEEP}; false when the mesh budget ran out.
   */
  askDue(swarm: Swarm, now: number): boolean {
    const asker = [...swarm.local.values()].find((peer) => !peer.left && peer.outbox === undefined);
    if (asker === undefined) return true;
    let asked = 0;
    for (const [member, question] of swarm.unknown) {
      if (asked >= WHO_PER_SWEEP) break;
      if (question.due > now) continue;
      if (question.attempts >= WHO_ATTEMPTS) {
        // It never said: it stays counted as one unidentified peer.
        swarm.unknown.delete(member);
        continue;
      }
      if (!this.federation.ask(asker, member)) return false;
      question.attempts++;
      question.due = now + WHO_RETRY_MS;
      asked++;
    }
    return true;
  }
}
function bucket(rate: number, now: number): RateBucket {
  return new RateBucket(rate, rate * BURST_SECONDS, now);
}

function expire(map: Map<string, { at: number }>, before: number): void {
  for (const [key, entry] of map) {
    // Maps keep insertion order and entries are re-inserted when renewed: oldest first.
    if (entry.at > before) return;
    map.delete(key);
  }
}

/**
 * True when `peer`, in a swarm of at most {@link PREFERRING_MAX_MEMBERS} members, has not paired
 * with every peer it could: all the others (by distinct peer_id), or all that do not seed when
 * it seeds. Pairs with members gone since do not count.
 */
function unpairedLeft(peer: SwarmPeer, counts: { complete: number; incomplete: number }): boolean {
  const census = peer.swarm.census;
  if (census.size > PREFERRING_MAX_MEMBERS) return false;
  const pairable = peer.seed ? counts.incomplete : counts.complete + counts.incomplete - 1;
  let live = 0;
  for (const member of peer.pairedWith?.keys() ?? []) if (census.has(member)) live++;
  return live < pairable;
}
