import type { RelayFrame, RoomHash } from '@sigmesh/protocol';
import type { RoomRegistry } from '../rooms/room-registry.js';
import type { RoomMessage } from '../rooms/room-observer.js';
import type { MeshLink } from './mesh-link.js';
import type { MeshStats } from './mesh-stats.js';
import type { RemoteOwners } from './presence/remote-owners.js';
import { RoomShares } from './room-shares.js';
import type { SeenIds } from './seen-ids.js';

/**
 * How long a new direct link to an owner shares a room before it is the only way the owner's
 * members' messages are taken: what was sent the old way before it opened, or before the owner
 * heard the room was shared, arrives within this (relay paths take milliseconds to a few hundred
 * under load; 2 s is ample).
 */
export const DIRECT_LINK_SETTLE_MS = 2_000;

/** What the relay needs from the mesh. */
export interface RelayHost {
  /** Open links sharing `room`. */
  sharing(room: RoomHash): Iterable<MeshLink>;
  /** The open link to node `id` when it shares `room`. */
  linkTo(id: string, room: RoomHash): MeshLink | undefined;
  /** An owner's members sent more than their allowance (the owner is penalized, not the relay). */
  ownerOverRate(owner: string): void;
  /** A protocol violation by the node behind `link`. */
  violation(link: MeshLink, reason: string, points: number): void;
}

/**
 * Room messages between nodes. A message from a remote member is taken only if its owner lists
 * the member and it comes along the owner's route — over the direct link to the owner when there
 * is one (or a link bringing its beats, for {@link DIRECT_LINK_SETTLE_MS} after the direct link
 * began sharing the room), else over a link that brings the owner's beats — within the owner's
 * message allowance.
 * An id is marked seen only once a copy is taken, so a copy refused early does not shadow a good one.
 * Broadcasts flood the room's links (never back to where they came from or to the owner);
 * a message for one peer goes toward that peer's owner when a route is known. Each room gets a
 * fair share of a busy link ({@link RoomShares}).
 */
export class MessageRelay {
  readonly #rooms: RoomRegistry;
  readonly #owners: RemoteOwners;
  readonly #seen: SeenIds;
  readonly #stats: MeshStats;
  readonly #hopLimit: number;
  readonly #host: RelayHost;
  readonly #shares = new WeakMap<MeshLink, RoomShares>();
  readonly #linkFramesPerSecond: number;
  readonly #now: () => number;

  constructor(options: {
    rooms: RoomRegistry;
    owners: RemoteOwners;
    seen: SeenIds;
    stats: MeshStats;
    hopLimit: number;
    /** What the node at the other end of a link takes from us per second ({@link RoomShares}). */
    linkFramesPerSecond: number;
    now: () => number;
    host: RelayHost;
  }) {
    this.#linkFramesPerSecond = options.linkFramesPerSecond;
    this.#now = options.now;
    this.#rooms = options.rooms;
    this.#owners = options.owners;
    this.#seen = options.seen;
    this.#stats = options.stats;
    this.#hopLimit = options.hopLimit;
    this.#host = options.host;
  }

  /** A local member published: the room's other nodes get it. */
  published(message: RoomMessage): void {
    this.#seen.add(message.id);
    this.#send({ t: 'message', ...message, hops: this.#hopLimit }, undefined, undefined);
  }

  /** A message frame from `link`. */
  received(link: MeshLink, frame: RelayFrame): void {
    if (link.interests?.shared.has(frame.room) !== true) {
      this.#stats.messagesRefused++;
      return;
    }
    if (this.#seen.has(frame.id)) {
      this.#stats.duplicatesDropped++;
      return;
    }
    const owner = this.#owners.acceptMessage(frame.room, frame.from, link, (id) =>
      this.#direct(id, frame.room),
    );
    if (typeof owner === 'string') {
      this.#stats.messagesRefused++;
      if (owner === 'unknown-member') this.#stats.messagesRefusedUnknownMember++;
      else if (owner === 'off-route') this.#stats.messagesRefusedOffRoute++;
      // Nobody relays our own members' messages back to us with a new id: a forgery, not a race.
      if (this.#rooms.isLocal(frame.room, frame.from))
        this.#host.violation(link, 'message forged as a local member', 10);
      if (owner === 'owner-rate') {
        // A relayed copy taken in a direct link's first seconds does not count against an owner
        // that speaks to us itself: a relay bringing its beats could frame it so.
        const known = this.#owners.ownerOf(frame.room, frame.from);
        const direct = known === undefined ? undefined : this.#host.linkTo(known.id, frame.room);
        if (known !== undefined && (direct === undefined || direct === link))
          this.#host.ownerOverRate(known.id);
      }
      return;
    }
    this.#seen.add(frame.id);
    const { id, room, from, to, data } = frame;
    this.#rooms.deliver(to === undefined ? { id, room, from, data } : { id, room, from, to, data });
    if (frame.hops === 0 || (to !== undefined && this.#rooms.isLocal(room, to))) return;
    this.#send({ ...frame, hops: frame.hops - 1 }, link, owner.id);
  }

  /** The direct link to owner `id` sharing `room`, and whether it shares it long enough to rely on. */
  #direct(id: string, room: RoomHash): { link: MeshLink; settled: boolean } | undefined {
    const link = this.#host.linkTo(id, room);
    if (link === undefined) return undefined;
    const since = link.interests?.sharedSince.get(room) ?? -Infinity;
    return { link, settled: this.#now() - since >= DIRECT_LINK_SETTLE_MS };
  }

  #send(frame: RelayFrame, from: MeshLink | undefined, origin: string | undefined): void {
    if (frame.to !== undefined) {
      const target = this.#owners.ownerOf(frame.room, frame.to);
      if (target !== undefined) {
        const route =
          this.#host.linkTo(target.id, frame.room) ?? (target.firstRoute as MeshLink | undefined);
        if (route !== undefined && route !== from && route.state === 'open') {
          if (this.#fairShare(route, frame.room)) {
            route.sendRaw(JSON.stringify(frame));
            this.#stats.framesRelayed++;
          }
          return;
        }
      }
    }
    let text: string | undefined;
    for (const link of this.#host.sharing(frame.room)) {
      if (link === from || link.remoteId === origin || !this.#fairShare(link, frame.room)) continue;
      text ??= JSON.stringify(frame);
      link.sendRaw(text);
      this.#stats.framesRelayed++;
    }
  }

  /** Takes one message of `room` from the link's share; counts it as shed when over. */
  #fairShare(link: MeshLink, room: RoomHash): boolean {
    let shares = this.#shares.get(link);
    if (shares === undefined) {
      shares = new RoomShares(this.#linkFramesPerSecond);
      this.#shares.set(link, shares);
    }
    if (shares.take(room, this.#now())) return true;
    this.#stats.framesShed++;
    return false;
  }
}
