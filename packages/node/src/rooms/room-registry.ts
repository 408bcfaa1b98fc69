import { RandomPool } from '../random-pool.js';
import {
  isInboxHash,
  sigmeshError,
  type ByeEvent,
  type InboxRole,
  type PeerId,
  type RoomHash,
} from '@sigmesh/protocol';
import type { NodeConfig } from '../config/node-options.js';
import type { Logger } from '../log/create-logger.js';
import { newLocalRoom, peerListBytes, type LocalRoom } from './local-room.js';
import { isEventSink, type Member, type MemberSink } from './member.js';
import { MemberWriter } from './member-writer.js';
import { fanOutMessage } from './message-fanout.js';
import { PresenceFanout } from './presence-fanout.js';
import type { RoomMessage, RoomObserver } from './room-observer.js';
import { sseChunk } from './sse-chunk.js';

type RoomLimits = Pick<
  NodeConfig,
  | 'maxRooms'
  | 'maxMembersPerRoom'
  | 'maxStreamsPerAddress'
  | 'memberQueueBytes'
  | 'heartbeatMs'
  | 'presenceBacklog'
  | 'presenceBatchMembers'
  | 'presenceIntervalMs'
>;

/** Counters for /metrics and tests. */
export interface RoomStats {
  rooms: number;
  members: number;
  messages: number;
  deliveries: number;
  slowConsumersCut: number;
}

/**
 * Local members per room, the remote members the mesh reports, and fan-out to local members.
 *
 * Presence reaches members through {@link PresenceFanout} (net changes per member per turn, paced
 * in large rooms). Messages are queued per member and written once per turn
 * ({@link MemberWriter}); a member whose unsent bytes pass `memberQueueBytes` is cut.
 */
export class RoomRegistry {
  readonly #rooms = new Map<RoomHash, LocalRoom>();
  readonly #streamsPerClient = new Map<string, number>();
  readonly #limits: RoomLimits;
  readonly #now: () => number;
  #heartbeat: NodeJS.Timeout | undefined;
  readonly #observers: Array<Partial<RoomObserver>> = [];
  readonly #random = new RandomPool();
  readonly #writer: MemberWriter;
  readonly #presence: PresenceFanout;
  /** Set once the node said bye: joins are refused with NODE_STOPPING from then on. */
  #bye: ByeEvent | undefined;
  readonly #stats: RoomStats = {
    rooms: 0,
    members: 0,
    messages: 0,
    deliveries: 0,
    slowConsumersCut: 0,
  };

  /** Prepended to session tokens (a worker's `w<index>.`, so a post can be taken to its stream). */
  readonly #sessionPrefix: string;

  constructor(options: {
    limits: RoomLimits;
    log: Logger;
    now: () => number;
    sessionPrefix?: string;
  }) {
    this.#limits = options.limits;
    this.#sessionPrefix = options.sessionPrefix ?? '';
    this.#now = options.now;
    this.#writer = new MemberWriter({
      queueBytes: options.limits.memberQueueBytes,
      log: options.log,
      cut: () => this.#stats.slowConsumersCut++,
      beforeWrite: () => this.#presence.flush(),
    });
    this.#presence = new PresenceFanout({
      limits: options.limits,
      writer: this.#writer,
      peers: (room, except) => this.peers(room, except),
    });
  }

  /** Adds an observer (the mesh, discovery) told about local rooms, members and messages. */
  observe(observer: Partial<RoomObserver>): void {
    this.#observers.push(observer);
  }

  start(): void {
    if (this.#heartbeat !== undefined) return;
    this.#heartbeat = setInterval(() => this.#beat(), this.#limits.heartbeatMs);
    this.#heartbeat.unref();
  }

  stop(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    for (const entry of this.#rooms.values()) this.#presence.forget(entry);
  }

  /** Throws NODE_STOPPING once the node said bye (cheap: routes ask before checking PoW). */
  checkOpen(): void {
    if (this.#bye !== undefined)
      throw sigmeshError('NODE_STOPPING', 'this node is stopping; use another node', {
        retryAfter: Math.max(1, Math.ceil(this.#bye.retryAfterMs / 1000)),
      });
  }

  /**
   * Throws the error a join would fail with now, or returns; lets routes refuse before hijacking.
   * An inbox is joined only with a role (the room stream route decides it): ROOM_HASH_RESERVED.
   */
  checkJoin(room: RoomHash, clientKey: string, role?: InboxRole): void {
    this.checkOpen();
    if (role === undefined && isInboxHash(room))
      throw sigmeshError('ROOM_HASH_RESERVED', 'this hash is an inbox: join it as owner or guest');
    if ((this.#streamsPerClient.get(clientKey) ?? 0) >= this.#limits.maxStreamsPerAddress) {
      throw sigmeshError(
        'ROOM_TOO_MANY_STREAMS',
        `at most ${this.#limits.maxStreamsPerAddress} room streams per client address`,
      );
    }
    const existing = this.#rooms.get(room);
    if (existing === undefined && this.#rooms.size >= this.#limits.maxRooms) {
      throw sigmeshError(
        'ROOM_LIMIT_REACHED',
        `this node holds at most ${this.#limits.maxRooms} rooms`,
      );
    }
    if (existing !== undefined && existing.members.size >= this.#limits.maxMembersPerRoom) {
      throw sigmeshError(
        'ROOM_FULL',
        `this room has at most ${this.#limits.maxMembersPerRoom} members on this node`,
      );
    }
  }

  /**
   * Adds a member with a fresh session token, and `peerId` as its id when given and no member of
   * the room (here or on a linked node) has it yet, a random one otherwise. Does not announce it
   * yet; its presence cursor starts now, so what {@link peers} lists at this moment is its
   * starting view. `role` is the member's in an inbox (and required there).
   */
  join(
    room: RoomHash,
    clientKey: string,
    sink: MemberSink,
    peerId?: PeerId,
    role?: InboxRole,
  ): Member {
    this.checkJoin(room, clientKey, role);
    let entry = this.#rooms.get(room);
    const opened = entry === undefined;
    if (entry === undefined) {
      entry = newLocalRoom(room, this.#limits.presenceBacklog);
      this.#rooms.set(room, entry);
      this.#stats.rooms = this.#rooms.size;
    }
    const free = peerId !== undefined && !entry.members.has(peerId) && !entry.remote.has(peerId);
    const member: Member = {
      peerId: free ? peerId : (this.#random.hex(16) as PeerId),
      session: this.#sessionPrefix + this.#random.take(18).toString('base64url'),
      room,
      clientKey,
      sink,
      ...(role === undefined ? {} : { role }),
      closed: false,
      cursor: entry.log.head,
      outbox: [],
      outboxBytes: 0,
    };
    entry.members.set(member.peerId, member);
    entry.ids.add(member.peerId);
    entry.sessions.set(member.session, member);
    this.#streamsPerClient.set(clientKey, (this.#streamsPerClient.get(clientKey) ?? 0) + 1);
    this.#stats.members++;
    if (opened) for (const observer of this.#observers) observer.roomOpened?.(room);
    return member;
  }

  /** Tells the other members, here and on linked nodes, that `member` joined. */
  announceJoin(member: Member): void {
    const entry = this.#rooms.get(member.room);
    if (entry?.members.get(member.peerId) !== member) return;
    this.#presence.changed(entry, member.peerId, true);
    for (const observer of this.#observers) observer.memberJoined?.(member);
  }

  /** Removes a member (idempotent) and tells the others, here and on linked nodes. */
  leave(member: Member): void {
    const entry = this.#rooms.get(member.room);
    if (entry?.members.get(member.peerId) !== member) return;
    member.closed = true;
    this.#writer.forget(member);
    entry.members.delete(member.peerId);
    entry.ids.delete(member.peerId);
    entry.sessions.delete(member.session);
    const streams = (this.#streamsPerClient.get(member.clientKey) ?? 1) - 1;
    if (streams <= 0) this.#streamsPerClient.delete(member.clientKey);
    else this.#streamsPerClient.set(member.clientKey, streams);
    this.#stats.members--;
    for (const observer of this.#observers) observer.memberLeft?.(member);
    if (entry.members.size === 0) {
      // Remote members are tracked only for rooms with local members.
      this.#rooms.delete(member.room);
      this.#presence.forget(entry);
      this.#stats.rooms = this.#rooms.size;
      for (const observer of this.#observers) observer.roomClosed?.(member.room);
      return;
    }
    this.#presence.changed(entry, member.peerId, false);
  }

  /** The mesh's view of a room changed: remote members appeared or left. */
  remoteChanged(room: RoomHash, joined: readonly PeerId[], left: readonly PeerId[]): void {
    const entry = this.#rooms.get(room);
    if (entry === undefined) return;
    for (const peer of left)
      if (entry.remote.delete(peer)) this.#presence.changed(entry, peer, false);
    for (const peer of joined) {
      if (entry.members.has(peer) || entry.remote.has(peer)) continue;
      entry.remote.add(peer);
      this.#presence.changed(entry, peer, true);
    }
  }

  /** The live member holding `session` in `room`, if any. */
  bySession(room: RoomHash, session: string): Member | undefined {
    return this.#rooms.get(room)?.sessions.get(session);
  }

  /** Peer ids in `room`, local and remote, other than `except`. */
  peers(room: RoomHash, except?: PeerId): PeerId[] {
    const entry = this.#rooms.get(room);
    if (entry === undefined) return [];
    return [...entry.members.keys(), ...entry.remote].filter((peerId) => peerId !== except);
  }

  /**
   * {@link peers} as JSON array elements, in pieces whose concatenation is
   * `peers(room, except).map(JSON.stringify).join(',')` (see local-room.ts).
   */
  peerListBytes(room: RoomHash, except?: PeerId): Buffer[] {
    const entry = this.#rooms.get(room);
    return entry === undefined ? [] : peerListBytes(entry, except);
  }

  /** Rooms with local members. */
  localRooms(): RoomHash[] {
    return [...this.#rooms.keys()];
  }

  /** True when `room` has local members (is open on this node). */
  hasLocalMembers(room: RoomHash): boolean {
    return this.#rooms.has(room);
  }

  /** True when `peerId` is a local member of `room`. */
  isLocal(room: RoomHash, peerId: PeerId): boolean {
    return this.#rooms.get(room)?.members.has(peerId) ?? false;
  }

  /** Local member ids of `room`. */
  localPeers(room: RoomHash): PeerId[] {
    return [...(this.#rooms.get(room)?.members.keys() ?? [])];
  }

  /** True when `peerId` is in `room`, here or on a linked node. */
  has(room: RoomHash, peerId: PeerId): boolean {
    const entry = this.#rooms.get(room);
    return entry !== undefined && (entry.members.has(peerId) || entry.remote.has(peerId));
  }

  /**
   * Delivers a message from a local member to every other local member, or only to `to`, and
   * hands it to the mesh. Returns the message id and how many local members it was queued to.
   * A dialect may name the id (derived from its own message identity, so copies of one message
   * sent through several nodes are recognised as one everywhere); otherwise it is random.
   */
  publish(
    room: RoomHash,
    from: PeerId,
    data: unknown,
    to?: PeerId,
    id: string = this.#random.hex(16),
  ): { id: string; delivered: number } {
    const message: RoomMessage =
      to === undefined ? { id, room, from, data } : { id, room, from, to, data };
    const delivered = this.deliver(message);
    for (const observer of this.#observers) observer.published?.(message);
    return { id, delivered };
  }

  /** A fresh random message id (16 bytes, hex), for a message published later. */
  newMessageId(): string {
    return this.#random.hex(16);
  }

  /** Delivers a message (local, or arrived from another node) to the local members it is for. */
  deliver(message: RoomMessage): number {
    this.#stats.messages++;
    const members = this.#rooms.get(message.room)?.members;
    if (members === undefined) return 0;
    const delivered = fanOutMessage(members, message, (member, chunk) =>
      this.#writer.enqueue(member, chunk),
    );
    this.#stats.deliveries += delivered;
    return delivered;
  }

  /** Queues one event to one member (cutting it if its queue would overflow). */
  send(member: Member, chunk: Buffer | readonly Buffer[]): boolean {
    return this.#writer.enqueue(member, chunk);
  }

  /** A member's stream drained: it can take the presence it was held back from. */
  drained(member: Member): void {
    const entry = this.#rooms.get(member.room);
    if (entry !== undefined) this.#presence.drained(entry, member);
  }

  /**
   * The node is stopping: from now on joins are refused (NODE_STOPPING), and every member with an
   * event stream gets `event: bye` so it can join elsewhere and then leave. Dialect members
   * (tracker, Nostr, ws-relay connections) have no such event; they are closed at the stop.
   * Returns how many members were told.
   */
  sayBye(event: ByeEvent): number {
    this.#bye ??= event;
    const chunk = sseChunk('bye', event);
    let told = 0;
    for (const { members } of this.#rooms.values())
      for (const member of members.values())
        if (!isEventSink(member.sink) && this.#writer.enqueue(member, chunk)) told++;
    return told;
  }

  /** Members with an event stream open now (a graceful stop waits for these to leave). */
  streamMembers(): number {
    let count = 0;
    for (const { members } of this.#rooms.values())
      for (const member of members.values()) if (!isEventSink(member.sink)) count++;
    return count;
  }

  stats(): Readonly<RoomStats> {
    return { ...this.#stats };
  }

  #beat(): void {
    const chunk = sseChunk('heartbeat', { ts: this.#now() });
    for (const { members } of this.#rooms.values()) {
      for (const member of members.values()) this.#writer.enqueue(member, chunk);
    }
  }
}
