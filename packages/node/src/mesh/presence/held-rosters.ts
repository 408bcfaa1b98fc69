import { rosterSigningText, type DeltaFrame, type PeerId, type RoomHash } from '@sigmesh/protocol';
import type { HeldRoster, OwnerState } from './owner-state.js';
import type { PresenceLimits, PresenceOutcome } from './presence-types.js';
import { RoomClaims } from './room-claims.js';
import { rosterDigest } from './roster-digest.js';

/**
 * The rosters remote owners list in the rooms we hold, and the budgets they count against:
 * members per owner, per introducing link, per room and in all (docs/limits.md § Mesh). Keeps
 * the room claims ({@link RoomClaims}) in step with every roster of a visible owner. Part of
 * RemoteOwners (remote-owners.ts), kept in its own file.
 */
export class HeldRosters {
  /** Rooms we hold (local members): each remote member, by the owner that holds its claim. */
  readonly #claims: RoomClaims;
  /** Remote members held per room, all owners together. */
  readonly #perRoom = new Map<RoomHash, number>();
  /** Members of the rosters each link introduced (its member budget). */
  readonly #perLink = new Map<object, number>();
  #total = 0;
  readonly #limits: PresenceLimits;

  constructor(
    limits: PresenceLimits,
    onChange: (room: RoomHash, joined: PeerId[], left: PeerId[]) => void,
  ) {
    this.#limits = limits;
    this.#claims = new RoomClaims(onChange);
  }

  /** We have local members in `room` now: track its remote members. */
  open(room: RoomHash): void {
    this.#claims.open(room);
  }

  /** No local member left in `room`: forget every roster of it (nobody here needs them). */
  close(room: RoomHash, owners: Iterable<OwnerState>): void {
    this.#claims.close(room);
    for (const owner of owners) {
      this.set(owner, room, undefined);
      owner.partial.delete(room);
      owner.refused.delete(room);
    }
  }

  holds(room: RoomHash): boolean {
    return this.#claims.holds(room);
  }

  /** The owner holding `peer`'s claim in `room`, if the peer counts as present. */
  ownerOf(room: RoomHash, peer: PeerId): OwnerState | undefined {
    return this.#claims.ownerOf(room, peer);
  }

  /** Remote members present in `room`. */
  members(room: RoomHash): PeerId[] {
    return this.#claims.members(room);
  }

  /** How many remote members are held in all (for stats). */
  get total(): number {
    return this.#total;
  }

  /**
   * Holds `next` as `owner`'s roster of `room` (version `ver`, signature `sig`), brought by
   * `link`, when the signature verifies and the budgets allow it; `delta` is the change it
   * applies, if it came as one. Returns why not, or undefined when the roster is held now.
   */
  adopt(
    link: object,
    owner: OwnerState,
    room: RoomHash,
    ver: number,
    sig: string,
    next: Set<PeerId>,
    delta: DeltaFrame | undefined,
  ): PresenceOutcome | undefined {
    if (next.size > this.#limits.maxMembersPerOwner)
      return this.refuse(owner, room, 'more members than one owner may list');
    const text = rosterSigningText(room, owner.id, owner.epoch, ver, rosterDigest(next));
    if (!owner.verify(text, sig)) return { kind: 'violation', reason: 'roster signature' };
    const held = owner.rosters.get(room);
    const growth = next.size - (held?.members.size ?? 0);
    const introducer = held?.introducer ?? link;
    if (growth > 0) {
      if ((this.#perLink.get(introducer) ?? 0) + growth > this.#limits.maxMembersPerLink)
        return this.refuse(owner, room, 'member budget of the link');
      if ((this.#perRoom.get(room) ?? 0) + growth > this.#limits.maxRemotePerRoom)
        return { kind: 'ignored', reason: 'room holds the most remote members allowed' };
      if (this.#total + growth > this.#limits.maxRemoteTotal)
        return { kind: 'ignored', reason: 'node holds the most remote members allowed' };
    }
    this.set(owner, room, { ver, members: next, sig, introducer }, delta);
    return undefined;
  }

  /** Drops `owner`'s roster of `room` and takes no other until it restarts: a violation. */
  refuse(owner: OwnerState, room: RoomHash, reason: string): PresenceOutcome {
    owner.refused.add(room);
    owner.partial.delete(room);
    this.set(owner, room, undefined);
    return { kind: 'violation', reason };
  }

  /** Replaces an owner's roster of a room (undefined: none), keeping claims and budgets right. */
  set(owner: OwnerState, room: RoomHash, roster: HeldRoster | undefined, delta?: DeltaFrame): void {
    const held = owner.rosters.get(room);
    if (held === undefined && roster === undefined) return;
    const size = (r: HeldRoster | undefined): number => r?.members.size ?? 0;
    const change = size(roster) - size(held);
    this.#total += change;
    this.#perRoom.set(room, (this.#perRoom.get(room) ?? 0) + change);
    if (this.#perRoom.get(room) === 0) this.#perRoom.delete(room);
    if (held?.introducer !== undefined) this.#addToLink(held.introducer, -size(held));
    if (roster?.introducer !== undefined) this.#addToLink(roster.introducer, size(roster));
    if (roster === undefined) owner.rosters.delete(room);
    else owner.rosters.set(room, roster);
    if (!owner.visible) return;
    if (delta !== undefined && held !== undefined) {
      this.#claims.change(owner, room, delta.add, delta.remove);
      return;
    }
    const before = held?.members ?? new Set<PeerId>();
    const after = roster?.members ?? new Set<PeerId>();
    this.#claims.change(
      owner,
      room,
      [...after].filter((p) => !before.has(p)),
      [...before].filter((p) => !after.has(p)),
    );
  }

  /** Drops every roster of `owner` (it restarted, or is forgotten). */
  dropAll(owner: OwnerState): void {
    for (const room of [...owner.rosters.keys()]) this.set(owner, room, undefined);
  }

  /** `owner` became visible (`alive`) or invisible: its members are present or absent now. */
  show(owner: OwnerState, alive: boolean): void {
    for (const [room, roster] of owner.rosters) {
      if (alive) this.#claims.change(owner, room, [...roster.members], []);
      else this.#claims.change(owner, room, [], [...roster.members]);
    }
  }

  /** `link` closed: its member budget is freed. */
  linkClosed(link: object): void {
    this.#perLink.delete(link);
  }

  /** Links with a member budget in use. */
  links(): IterableIterator<object> {
    return this.#perLink.keys();
  }

  #addToLink(link: object, members: number): void {
    this.#perLink.set(link, (this.#perLink.get(link) ?? 0) + members);
  }
}
