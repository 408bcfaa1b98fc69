import { createHash } from 'node:crypto';
import {
  deriveRoomHash,
  parseTopicBusMessage,
  SigmeshError,
  type PresenceEvent,
  type RoomHash,
  type TopicBusMessage,
} from '@sigmesh/protocol';
import type { Logger } from '../../log/create-logger.js';
import { RandomPool } from '../../random-pool.js';
import { SeenIds } from '../../mesh/seen-ids.js';
import type { Member } from '../../rooms/member.js';
import type { RoomMessage } from '../../rooms/room-observer.js';
import type { RoomRegistry } from '../../rooms/room-registry.js';
import { BusDelivery } from './bus-delivery.js';

/** One client connection of a topic dialect (a Nostr or ws-relay socket) as the bus sees it. */
export interface TopicSubscriber {
  /** Its address key (clientKey): room joins count against the address's stream cap. */
  readonly clientKey: string;
  /** A message on a topic it subscribes to (or any, for a wildcard subscriber). */
  deliver(delivery: BusDelivery): void;
}

/** What publishing one message did. */
export interface PublishOutcome {
  /** Local subscribers it was handed to (the publisher included, when subscribed). */
  readonly delivered: number;
  /** True when it went out to the mesh (its topic's room, or the publisher's root topics' rooms). */
  readonly federated: boolean;
  /** Why the topic could not become a room on this node (served locally only). */
  readonly notFederated?: SigmeshError;
}

/** Counters of the bus for `/metrics`. */
export interface TopicBusStats {
  readonly topics: number;
  readonly rootMembers: number;
  readonly published: number;
  readonly fromMesh: number;
  readonly replays: number;
  readonly meshRefused: number;
}

/** The room of a topic: the same for Nostr `#x`, ws-relay and (later) MQTT topics. */
export function topicRoom(topic: string): RoomHash {
  return deriveRoomHash('dialect:topic', topic);
}

/** A root topic joined as a room member on behalf of one connection. */
interface Membership {
  readonly topic: string;
  readonly room: RoomHash;
  member: Member | undefined;
  /** The last message the connection published on this topic (its announce), for replays. */
  last: { readonly message: TopicBusMessage; readonly at: number } | undefined;
  replayedAt: number;
  replayTimer: NodeJS.Timeout | undefined;
  /** Replays still owed to the latest remote joins (two per burst: see #presence). */
  replaysDue: number;
  /** Joined this turn: its roster delta has not gone out yet (the mesh sends it on setImmediate). */
  fresh: boolean;
}

/** A remote peer appearing gets the connection's last announce if it is at most this old. */
const REPLAY_MAX_AGE_MS = 90_000;
/** Replays of one membership are at least this far apart (later joins wait, then share one). */
const REPLAY_MIN_INTERVAL_MS = 2_000;

/**
 * The topic bus: local subscribers by topic, and the mesh rooms that carry topics between nodes
 * (docs/dialects.md § How federation works).
 *
 * A topic becomes a room when a connection both subscribes to it and publishes on it: that is
 * what Trystero does with a room's root topic (it announces there) and never with its private self
 * topic, which nobody else subscribes to and which must not cost a DHT announce. The subscription
 * then joins the topic's room as a member served inside the node, so the DHT rendezvous, mesh
 * links, rosters and relay rules of ordinary rooms apply. A message on a topic the publisher
 * holds no room for (another peer's self topic) goes into the rooms of the root topics that
 * connection is a member of — the peer it is for shares one of them — with the topic in its
 * data; every node delivers it to its own subscribers of that topic.
 */
export class TopicBus {
  readonly #rooms: RoomRegistry;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #random = new RandomPool();
  readonly #seen: SeenIds;
  readonly #subscribers = new Map<string, Set<TopicSubscriber>>();
  readonly #wildcards = new Set<TopicSubscriber>();
  readonly #topicsOf = new Map<TopicSubscriber, Set<string>>();
  readonly #memberships = new Map<TopicSubscriber, Map<string, Membership>>();
  #stats = { published: 0, fromMesh: 0, replays: 0, meshRefused: 0, rootMembers: 0 };

  constructor(options: {
    rooms: RoomRegistry;
    log: Logger;
    now: () => number;
    dedupeSize: number;
  }) {
    this.#rooms = options.rooms;
    this.#log = options.log;
    this.#now = options.now;
    this.#seen = new SeenIds(options.dedupeSize);
  }

  /** A fresh bus id (for messages without an id of their own: ws-relay publishes). */
  newId(): string {
    return this.#random.hex(16);
  }

  /** Starts delivering `topic` to `subscriber` (idempotent). */
  subscribe(subscriber: TopicSubscriber, topic: string): void {
    let topics = this.#topicsOf.get(subscriber);
    if (topics === undefined) this.#topicsOf.set(subscriber, (topics = new Set()));
    if (topics.has(topic)) return;
    topics.add(topic);
    let set = this.#subscribers.get(topic);
    if (set === undefined) this.#subscribers.set(topic, (set = new Set()));
    set.add(subscriber);
  }

  /** Stops delivering `topic` to `subscriber`, and leaves its room if it was a root topic. */
  unsubscribe(subscriber: TopicSubscriber, topic: string): void {
    const topics = this.#topicsOf.get(subscriber);
    if (topics?.delete(topic) !== true) return;
    if (topics.size === 0) this.#topicsOf.delete(subscriber);
    const set = this.#subscribers.get(topic);
    set?.delete(subscriber);
    if (set?.size === 0) this.#subscribers.delete(topic);
    const memberships = this.#memberships.get(subscriber);
    const membership = memberships?.get(topic);
    if (membership === undefined) return;
    memberships!.delete(topic);
    if (memberships!.size === 0) this.#memberships.delete(subscriber);
    this.#leave(membership);
  }

  /** Delivers every topic to `subscriber` (a Nostr filter without `#x`), or stops. */
  setWildcard(subscriber: TopicSubscriber, on: boolean): void {
    if (on) this.#wildcards.add(subscriber);
    else this.#wildcards.delete(subscriber);
  }

  /** The connection closed: every subscription and membership goes. */
  drop(subscriber: TopicSubscriber): void {
    for (const topic of [...(this.#topicsOf.get(subscriber) ?? [])])
      this.unsubscribe(subscriber, topic);
    this.#wildcards.delete(subscriber);
  }

  /** True when a message with this bus id passed through this node recently. */
  has(id: string): boolean {
    return this.#seen.has(id);
  }

  /**
   * Publishes a message from a local connection: to local subscribers of its topic (the publisher
   * too, when subscribed) and across the mesh. Returns undefined for a duplicate (already here).
   */
  publish(publisher: TopicSubscriber, message: TopicBusMessage): PublishOutcome | undefined {
    if (!this.#seen.add(message.id)) return undefined;
    this.#stats.published++;
    const delivered = this.#deliverLocal(new BusDelivery(message));
    const memberships = this.#memberships.get(publisher);
    let membership = memberships?.get(message.topic);
    let notFederated: SigmeshError | undefined;
    if (membership === undefined && this.#topicsOf.get(publisher)?.has(message.topic) === true) {
      const joined = this.#join(publisher, message.topic);
      if (joined instanceof SigmeshError) notFederated = joined;
      else membership = joined;
    }
    if (membership?.member !== undefined) {
      membership.last = { message, at: this.#now() };
      this.#toRoom(membership, message);
      return { delivered, federated: true };
    }
    // Not a root topic of this connection (another peer's self topic): through its root topics.
    let federated = false;
    for (const root of this.#memberships.get(publisher)?.values() ?? []) {
      if (root.member === undefined) continue;
      this.#toRoom(root, message);
      federated = true;
    }
    return notFederated === undefined
      ? { delivered, federated }
      : { delivered, federated, notFederated };
  }

  stats(): TopicBusStats {
    return { topics: this.#subscribers.size, ...this.#stats };
  }

  #deliverLocal(delivery: BusDelivery): number {
    let delivered = 0;
    for (const subscriber of this.#subscribers.get(delivery.message.topic) ?? []) {
      subscriber.deliver(delivery);
      delivered++;
    }
    for (const subscriber of this.#wildcards) {
      if (this.#topicsOf.get(subscriber)?.has(delivery.message.topic) === true) continue;
      subscriber.deliver(delivery);
      delivered++;
    }
    return delivered;
  }

  #join(subscriber: TopicSubscriber, topic: string): Membership | SigmeshError {
    const room = topicRoom(topic);
    try {
      this.#rooms.checkJoin(room, subscriber.clientKey);
    } catch (error) {
      if (error instanceof SigmeshError) return error;
      throw error;
    }
    const membership: Membership = {
      topic,
      room,
      member: undefined,
      last: undefined,
      replayedAt: 0,
      replayTimer: undefined,
      replaysDue: 0,
      fresh: true,
    };
    membership.member = this.#rooms.join(room, subscriber.clientKey, {
      kind: 'events',
      message: (message) => this.#fromMesh(message),
      presence: (change) => this.#presence(membership, change),
    });
    this.#rooms.announceJoin(membership.member);
    // Queued after the mesh's presence flush, which announceJoin just scheduled.
    setImmediate(() => (membership.fresh = false));
    let memberships = this.#memberships.get(subscriber);
    if (memberships === undefined)
      this.#memberships.set(subscriber, (memberships = new Map<string, Membership>()));
    memberships.set(topic, membership);
    this.#stats.rootMembers++;
    return membership;
  }

  #leave(membership: Membership): void {
    clearTimeout(membership.replayTimer);
    if (membership.member === undefined) return;
    this.#rooms.leave(membership.member);
    membership.member = undefined;
    this.#stats.rootMembers--;
  }

  #toRoom(membership: Membership, message: TopicBusMessage): void {
    if (membership.fresh) {
      // Other nodes take a member's messages only once its owner's roster lists it: a message
      // sent in the turn of the join would overtake the roster delta and be refused there.
      setImmediate(() => {
        if (membership.member !== undefined) this.#toRoom(membership, message);
      });
      return;
    }
    // One id per room: a message routed through two rooms is two floods, each complete on any
    // topology; the bus id (dedupe here) makes it one delivery per node.
    const meshId = createHash('sha256')
      .update(message.id)
      .update(membership.room)
      .digest('hex')
      .slice(0, 32);
    this.#rooms.publish(membership.room, membership.member!.peerId, message, undefined, meshId);
  }

  /** A room message for one of our memberships: from another node, or a local member's publish. */
  #fromMesh(message: RoomMessage): void {
    // Every local member of the room is handed the same message: check the id before parsing.
    const id = (message.data as { id?: unknown } | null)?.id;
    if (typeof id === 'string' && this.#seen.has(id)) return;
    const parsed = parseTopicBusMessage(message.data);
    if (!parsed.ok) {
      this.#stats.meshRefused++;
      this.#log.debug({ code: parsed.code, room: message.room }, `topic bus: ${parsed.message}`);
      return;
    }
    if (!this.#seen.add(parsed.value.id)) return;
    this.#stats.fromMesh++;
    // Another node's owner-routed message: that node checked it where it entered (node-attested).
    this.#deliverLocal(new BusDelivery(parsed.value));
  }

  /**
   * Remote peers appeared in a root topic's room: they missed this connection's announces (sent
   * before the nodes were linked; Trystero then waits 60 s to announce again), so its last one is
   * sent again, under a new bus id, at most once per {@link REPLAY_MIN_INTERVAL_MS} — and a second
   * copy one interval later. The first copy goes out in the moments the nodes link; under load,
   * about one test run in ten saw it never arrive, with both nodes listing each other's members
   * and nothing refused (links between two nodes that dialed each other at once are being
   * replaced then), and Trystero would not announce again for a minute.
   */
  #presence(membership: Membership, change: PresenceEvent): void {
    const joined = 'members' in change ? change.members : change.join;
    if (!joined.some((peer) => !this.#rooms.isLocal(membership.room, peer))) return;
    membership.replaysDue = 2;
    this.#scheduleReplay(membership);
  }

  #scheduleReplay(membership: Membership): void {
    if (membership.replayTimer !== undefined || membership.replaysDue <= 0) return;
    const fire = (): void => {
      membership.replayTimer = undefined;
      membership.replaysDue--;
      this.#replay(membership);
      this.#scheduleReplay(membership);
    };
    const wait = membership.replayedAt + REPLAY_MIN_INTERVAL_MS - this.#now();
    if (wait <= 0) return fire();
    membership.replayTimer = setTimeout(fire, wait);
    membership.replayTimer.unref();
  }

  #replay(membership: Membership): void {
    const last = membership.last;
    if (membership.member === undefined || last === undefined) return;
    if (this.#now() - last.at > REPLAY_MAX_AGE_MS) return;
    membership.replayedAt = this.#now();
    const copy = { ...last.message, id: this.newId() };
    this.#seen.add(copy.id);
    this.#stats.replays++;
    this.#toRoom(membership, copy);
  }
}
