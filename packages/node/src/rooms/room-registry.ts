import { RandomPool } from '../random-pool.js';
import { sigmeshError, type PeerId, type RoomHash } from '@sigmesh/protocol';
import type { NodeConfig } from '../config/node-options.js';
import type { Logger } from '../log/create-logger.js';
import type { Member, MemberSink } from './member.js';
import type { RoomMessage, RoomObserver } from './room-observer.js';
import { sseChunk } from './sse-chunk.js';

type RoomLimits = Pick<
  NodeConfig,
  'maxRooms' | 'maxMembersPerRoom' | 'maxStreamsPerAddress' | 'memberQueueBytes' | 'heartbeatMs'
>;

interface Room {
  readonly members: Map<PeerId, Member>;
  readonly sessions: Map<string, Member>;
  /** Peers on other nodes, by the id of the linked node they are reached through. */
  readonly remote: Map<PeerId, string>;
}

/** Counters for /metrics and tests. */
export interface RoomStats {
  rooms: number;
  members: number;
  messages: number;
  deliveries: number;
  slowConsumersCut: number;
}

/**
 * Local members per room, the remote peers linked nodes told us about, and fan-out to local
 * members. Each member's unsent bytes are bounded by `memberQueueBytes`: a write that would pass
 * it cuts the member instead (its stream is destroyed; the close handler then calls `leave`), so
 * a slow reader can never grow memory.
 */
export class RoomRegistry {
  readonly #rooms = new Map<RoomHash, Room>();
  readonly #streamsPerClient = new Map<string, number>();
  readonly #limits: RoomLimits;
  readonly #log: Logger;
  readonly #now: () => number;
  #heartbeat: NodeJS.Timeout | undefined;
  readonly #observers: Array<Partial<RoomObserver>> = [];
  readonly #random = new RandomPool();
  readonly #stats: RoomStats = {
    rooms: 0,
    members: 0,
    messages: 0,
    deliveries: 0,
    slowConsumersCut: 0,
  };

  constructor(options: { limits: RoomLimits; log: Logger; now: () => number }) {
    this.#limits = options.limits;
    this.#log = options.log;
    this.#now = options.now;
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
  }

  /** Throws the error a join would fail with now, or returns; lets routes refuse before hijacking. */
  checkJoin(room: RoomHash, clientKey: string): void {
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

  /** Adds a member with a fresh peer id and session token. Does not announce it yet. */
  join(room: RoomHash, clientKey: string, sink: MemberSink): Member {
    this.checkJoin(room, clientKey);
    let entry = this.#rooms.get(room);
    const opened = entry === undefined;
    if (entry === undefined) {
      entry = { members: new Map(), sessions: new Map(), remote: new Map() };
      this.#rooms.set(room, entry);
      this.#stats.rooms = this.#rooms.size;
    }
    const member: Member = {
      peerId: this.#random.hex(16) as PeerId,
      session: this.#random.take(18).toString('base64url'),
      room,
      clientKey,
      sink,
      closed: false,
    };
    entry.members.set(member.peerId, member);
    entry.sessions.set(member.session, member);
    this.#streamsPerClient.set(clientKey, (this.#streamsPerClient.get(clientKey) ?? 0) + 1);
    this.#stats.members++;
    if (opened) for (const observer of this.#observers) observer.roomOpened?.(room);
    return member;
  }

  /** Tells the other members, here and on linked nodes, that `member` joined. */
  announceJoin(member: Member): void {
    this.#fanOut(member.room, sseChunk('join', { peerId: member.peerId }), member.peerId);
    for (const observer of this.#observers) observer.memberJoined?.(member);
  }

  /** Removes a member (idempotent) and tells the others, here and on linked nodes. */
  leave(member: Member): void {
    const entry = this.#rooms.get(member.room);
    if (entry?.members.get(member.peerId) !== member) return;
    member.closed = true;
    entry.members.delete(member.peerId);
    entry.sessions.delete(member.session);
    const streams = (this.#streamsPerClient.get(member.clientKey) ?? 1) - 1;
    if (streams <= 0) this.#streamsPerClient.delete(member.clientKey);
    else this.#streamsPerClient.set(member.clientKey, streams);
    this.#stats.members--;
    for (const observer of this.#observers) observer.memberLeft?.(member);
    if (entry.members.size === 0) {
      // Remote peers are tracked only for rooms with local members.
      this.#rooms.delete(member.room);
      this.#stats.rooms = this.#rooms.size;
      for (const observer of this.#observers) observer.roomClosed?.(member.room);
      return;
    }
    this.#fanOut(member.room, sseChunk('leave', { peerId: member.peerId }), undefined);
  }

  /** The live member holding `session` in `room`, if any. */
  bySession(room: RoomHash, session: string): Member | undefined {
    return this.#rooms.get(room)?.sessions.get(session);
  }

  /** Peer ids in `room`, local and remote, other than `except`. */
  peers(room: RoomHash, except?: PeerId): PeerId[] {
    const entry = this.#rooms.get(room);
    if (entry === undefined) return [];
    return [...entry.members.keys(), ...entry.remote.keys()].filter((peerId) => peerId !== except);
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

  /** The linked node a remote peer is reached through; undefined for local or unknown peers. */
  routeOf(room: RoomHash, peerId: PeerId): string | undefined {
    return this.#rooms.get(room)?.remote.get(peerId);
  }

  /** Records a peer on another node (reached via `via`) and tells local members it joined. */
  addRemote(room: RoomHash, peerId: PeerId, via: string): boolean {
    const entry = this.#rooms.get(room);
    if (entry === undefined || entry.members.has(peerId)) return false;
    const known = entry.remote.has(peerId);
    entry.remote.set(peerId, via);
    if (!known) this.#fanOut(room, sseChunk('join', { peerId }), undefined);
    return !known;
  }

  /** Forgets a remote peer (only if reached via `via`, when given) and tells local members it left. */
  removeRemote(room: RoomHash, peerId: PeerId, via?: string): boolean {
    const entry = this.#rooms.get(room);
    const current = entry?.remote.get(peerId);
    if (entry === undefined || current === undefined || (via !== undefined && current !== via)) {
      return false;
    }
    entry.remote.delete(peerId);
    this.#fanOut(room, sseChunk('leave', { peerId }), undefined);
    return true;
  }

  /** Forgets every peer reached through a node whose link closed; returns them by room. */
  dropRoute(via: string): Array<{ room: RoomHash; peerId: PeerId }> {
    const dropped: Array<{ room: RoomHash; peerId: PeerId }> = [];
    for (const [room, entry] of this.#rooms) {
      for (const [peerId, through] of entry.remote)
        if (through === via) dropped.push({ room, peerId });
    }
    for (const { room, peerId } of dropped) this.removeRemote(room, peerId, via);
    return dropped;
  }

  /** Remote peers of `room` not reached through `except` (split horizon for member lists). */
  remotePeers(room: RoomHash, except?: string): PeerId[] {
    const remote = this.#rooms.get(room)?.remote;
    if (remote === undefined) return [];
    return [...remote].filter(([, via]) => via !== except).map(([peerId]) => peerId);
  }

  /**
   * Delivers a message from a local member to every other local member, or only to `to`, and
   * hands it to the mesh. Returns the message id and how many local members it was queued to.
   */
  publish(
    room: RoomHash,
    from: PeerId,
    data: unknown,
    to?: PeerId,
  ): { id: string; delivered: number } {
    const id = this.#random.hex(16);
    const message: RoomMessage =
      to === undefined ? { id, room, from, data } : { id, room, from, to, data };
    const delivered = this.deliver(message);
    for (const observer of this.#observers) observer.published?.(message);
    return { id, delivered };
  }

  /** Delivers a message (local, or arrived from another node) to the local members it is for. */
  deliver(message: RoomMessage): number {
    const { id, from, to, data } = message;
    const chunk = sseChunk(
      'message',
      to === undefined ? { id, from, data } : { id, from, to, data },
    );
    this.#stats.messages++;
    if (to !== undefined) {
      const target = this.#rooms.get(message.room)?.members.get(to);
      const delivered = target !== undefined && this.#send(target, chunk) ? 1 : 0;
      this.#stats.deliveries += delivered;
      return delivered;
    }
    return this.#fanOut(message.room, chunk, from);
  }

  /** Writes one chunk to one member, cutting it if its queue would overflow. */
  send(member: Member, chunk: Buffer): boolean {
    return this.#send(member, chunk);
  }

  stats(): Readonly<RoomStats> {
    return { ...this.#stats };
  }

  #fanOut(room: RoomHash, chunk: Buffer, except: PeerId | undefined): number {
    const members = this.#rooms.get(room)?.members;
    if (members === undefined) return 0;
    let delivered = 0;
    for (const member of members.values()) {
      if (member.peerId !== except && this.#send(member, chunk)) delivered++;
    }
    this.#stats.deliveries += delivered;
    return delivered;
  }

  #send(member: Member, chunk: Buffer): boolean {
    if (member.closed) return false;
    // Only a member with bytes already waiting can be slow: one event larger than the queue (a
    // welcome listing a big room) still goes to a member that has kept up.
    const queued = member.sink.writableLength;
    if (queued > 0 && queued + chunk.length > this.#limits.memberQueueBytes) {
      // Cut, do not buffer: the stream's close handler removes the member and tells the room.
      member.closed = true;
      this.#stats.slowConsumersCut++;
      this.#log.debug(
        { code: 'ROOM_SLOW_CONSUMER', peerId: member.peerId, room: member.room },
        'cut slow room member',
      );
      member.sink.destroy();
      return false;
    }
    member.sink.write(chunk);
    return true;
  }

  #beat(): void {
    const chunk = sseChunk('heartbeat', { ts: this.#now() });
    for (const { members } of this.#rooms.values()) {
      for (const member of members.values()) this.#send(member, chunk);
    }
  }
}
