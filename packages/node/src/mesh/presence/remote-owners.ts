import {
  MESH_MAX_PEERS_PER_FRAME,
  type AnchorFrame,
  type Beat,
  type DeltaFrame,
  type PeerId,
  type RoomHash,
  type RosterFrame,
} from '@sigmesh/protocol';
import { HeldRosters } from './held-rosters.js';
import { heldLinks, OwnerState } from './owner-state.js';
import type { MessageRefusal, PresenceLimits, PresenceOutcome } from './presence-types.js';

const ACCEPTED: PresenceOutcome = { kind: 'accepted' };
const DUPLICATE: PresenceOutcome = { kind: 'duplicate' };
const WANT: PresenceOutcome = { kind: 'want' };
const RELAYED: PresenceOutcome = {
  kind: 'ignored',
  reason: 'the owner is linked to us: its rosters come from itself',
};

/**
 * Every remote owner we know, and from them the remote members of each room we hold. A member
 * counts as present while its owner's roster lists it and the owner is *alive*: its beats keep
 * advancing (within the lease), and, after its own link closed or a route was withdrawn, a newer
 * beat arrived within the grace. Views converge because each owner's roster is one versioned,
 * signed value (the newest wins everywhere) and liveness is decided from the owner's own beats,
 * never from what a neighbour says about it.
 */
export class RemoteOwners {
  readonly #owners = new Map<string, OwnerState>();
  /** Their rosters of the rooms we hold, and the member budgets ({@link HeldRosters}). */
  readonly #rosters: HeldRosters;
  /** Owners each link introduced (its owner budget). */
  readonly #ownersPerLink = new Map<object, number>();
  readonly #limits: PresenceLimits;
  readonly #now: () => number;
  readonly #onGone: (owner: string) => void;
  readonly #onVisible: (owner: OwnerState) => void;
  readonly #directLink: (owner: string) => object | undefined;
  readonly #askAgain: (owner: string, asks: { link: object; rooms: RoomHash[] }[]) => void;

  constructor(options: {
    limits: PresenceLimits;
    now: () => number;
    /** Remote members appeared in or left a room we hold. */
    onChange: (room: RoomHash, joined: PeerId[], left: PeerId[]) => void;
    /** An owner stopped counting as alive (the mesh withdraws it from its neighbours). */
    onGone: (owner: string) => void;
    /** An owner counts as alive (again): its rosters can be passed on. */
    onVisible: (owner: OwnerState) => void;
    /**
     * The link to `owner` itself, when it is linked to us directly. An owner's rosters are then
     * taken from the owner alone, in order with its members' messages (which are taken only from
     * it too): a relayed copy can overtake them — a member's leave arriving before the message it
     * sent just before leaving, so the message is refused — or come after the owner left the room
     * and bring its departed members back for good. Both were found by the soak. And losing a
     * relay says nothing about an owner whose own link still brings its beats.
     */
    directLink?: (owner: string) => object | undefined;
    /**
     * The owner's own link closed after we skipped relayed copies of its rosters for it: ask
     * `links` for them again (a `want`). A link that only verified the node closes right after
     * its handshake, before the owner says anything on it, and relays pass a roster on once.
     */
    askAgain?: (owner: string, asks: { link: object; rooms: RoomHash[] }[]) => void;
  }) {
    this.#limits = options.limits;
    this.#now = options.now;
    this.#rosters = new HeldRosters(options.limits, options.onChange);
    this.#onGone = options.onGone;
    this.#onVisible = options.onVisible;
    this.#directLink = options.directLink ?? (() => undefined);
    this.#askAgain = options.askAgain ?? (() => undefined);
  }

  /** We have local members in `room` now: track its remote members. */
  openRoom(room: RoomHash): void {
    this.#rosters.open(room);
  }

  /** No local member left in `room`: forget every roster of it (nobody here needs them). */
  closeRoom(room: RoomHash): void {
    this.#rosters.close(room, this.#owners.values());
  }

  get(owner: string): OwnerState | undefined {
    return this.#owners.get(owner);
  }

  owners(): IterableIterator<OwnerState> {
    return this.#owners.values();
  }

  /** The owner holding `peer`'s claim in `room`, if the peer counts as present. */
  ownerOf(room: RoomHash, peer: PeerId): OwnerState | undefined {
    return this.#rosters.ownerOf(room, peer);
  }

  /** Remote members present in `room`. */
  members(room: RoomHash): PeerId[] {
    return this.#rosters.members(room);
  }

  /** How many remote members are held in all (for stats). */
  get total(): number {
    return this.#rosters.total;
  }

  /**
   * Links presence holds state for (routes, introductions, budgets, skipped copies): for stats.
   * Each must be an open link; a closed or replaced one still here would be a leak.
   */
  linksHeld(): number {
    const links = new Set<object>([...this.#ownersPerLink.keys(), ...this.#rosters.links()]);
    for (const owner of this.#owners.values()) heldLinks(owner, links);
    return links.size;
  }

  /** An anchor from `link`. Returns whether it is new to us (then it is passed on). */
  anchor(link: object, frame: AnchorFrame): PresenceOutcome {
    const existing = this.#owners.get(frame.owner);
    const verdict = existing?.compare(frame);
    if (verdict === 'same' || verdict === 'older') return DUPLICATE;
    const key = OwnerState.verifyAnchor(frame, existing?.key);
    if (key === undefined) return { kind: 'violation', reason: 'anchor signature' };
    if (existing === undefined) {
      const introduced = this.#ownersPerLink.get(link) ?? 0;
      if (introduced >= this.#limits.maxOwnersPerLink)
        return { kind: 'violation', reason: 'owner budget of the link' };
      const owner = new OwnerState(frame, key, this.#now(), this.#limits.ownerMessageBurst);
      owner.introducer = link;
      this.#ownersPerLink.set(link, introduced + 1);
      this.#owners.set(frame.owner, owner);
      return ACCEPTED;
    }
    if (verdict === 'next-chain') {
      existing.nextChain(frame);
      return ACCEPTED;
    }
    // A new epoch: the owner restarted, everything it held before is gone.
    this.#rosters.dropAll(existing);
    existing.partial.clear();
    existing.refused.clear();
    existing.epoch = frame.epoch;
    existing.started = frame.started;
    existing.nextChain(frame);
    existing.lastAdvanceAt = undefined;
    this.#refresh(existing);
    return ACCEPTED;
  }

  /**
   * A beat from `link`: `accepted` when it moved the owner's chain (pass it on). Checking a value
   * n steps ahead costs n hashes: `spend(n)` charges them to the link's budget first.
   */
  beat(link: object, beat: Beat, spend: (hashes: number) => boolean = () => true): PresenceOutcome {
    const owner = this.#owners.get(beat.owner);
    if (owner === undefined) return WANT;
    const steps = beat.i - owner.lastIndex;
    if (steps > 0 && beat.epoch === owner.epoch && beat.chain === owner.chain && !spend(steps))
      return { kind: 'ignored', reason: 'hash budget of the link spent' };
    const verdict = owner.beat(beat, link, this.#now(), owner.length);
    switch (verdict) {
      case 'invalid':
        return { kind: 'violation', reason: 'beat not in the chain' };
      case 'unknown-chain':
        // A chain we have no anchor for yet: ask for it. One older than ours proves nothing.
        return beat.epoch === owner.epoch && beat.chain < owner.chain
          ? { kind: 'ignored', reason: 'beat of an old chain' }
          : WANT;
      case 'stale':
        return { kind: 'ignored', reason: 'stale beat' };
      case 'current':
        this.#refresh(owner);
        return DUPLICATE;
      case 'new':
        this.#refresh(owner);
        return ACCEPTED;
    }
  }

  /** A roster snapshot (part) from `link`. */
  roster(link: object, frame: RosterFrame): PresenceOutcome {
    const owner = this.#owners.get(frame.owner);
    if (owner === undefined || owner.epoch !== frame.epoch) return WANT;
    if (!this.#rosters.holds(frame.room)) return { kind: 'ignored', reason: 'room not held' };
    if (this.#relayedWhileLinked(owner, link, frame)) return RELAYED;
    if (owner.refused.has(frame.room)) return { kind: 'ignored', reason: 'roster refused' };
    const held = owner.rosters.get(frame.room);
    if (held !== undefined && frame.ver <= held.ver) return DUPLICATE;
    if (frame.parts > Math.ceil(this.#limits.maxMembersPerOwner / MESH_MAX_PEERS_PER_FRAME))
      return this.#rosters.refuse(owner, frame.room, 'roster larger than the owner budget');
    let members: PeerId[];
    if (frame.parts === 1) members = [...frame.members];
    else {
      let partial = owner.partial.get(frame.room);
      if (partial === undefined || partial.ver !== frame.ver || partial.sig !== frame.sig) {
        partial = { ver: frame.ver, sig: frame.sig, parts: frame.parts, got: new Map() };
        owner.partial.set(frame.room, partial);
      }
      partial.got.set(frame.part, frame.members);
      if (partial.got.size < partial.parts) return ACCEPTED;
      owner.partial.delete(frame.room);
      members = [...partial.got.values()].flat();
    }
    const next = new Set(members);
    return (
      this.#rosters.adopt(link, owner, frame.room, frame.ver, frame.sig, next, undefined) ??
      ACCEPTED
    );
  }

  /** A roster delta from `link`. */
  delta(link: object, frame: DeltaFrame): PresenceOutcome {
    const owner = this.#owners.get(frame.owner);
    if (owner === undefined || owner.epoch !== frame.epoch) return WANT;
    if (!this.#rosters.holds(frame.room)) return { kind: 'ignored', reason: 'room not held' };
    if (this.#relayedWhileLinked(owner, link, frame)) return RELAYED;
    if (owner.refused.has(frame.room)) return { kind: 'ignored', reason: 'roster refused' };
    const held = owner.rosters.get(frame.room);
    const ver = held?.ver ?? 0;
    if (frame.ver <= ver) return DUPLICATE;
    // A delta from base 0 is the owner's first after it (re)opened the room: the whole roster,
    // whatever older one we hold (a copy of the room's previous run relayed late must not turn
    // the new run's first delta into a gap, during which its members' messages are refused).
    if (frame.base !== 0 && frame.base !== ver) return WANT;
    const next = new Set(frame.base === 0 ? [] : held?.members);
    for (const peer of frame.remove) next.delete(peer);
    for (const peer of frame.add) next.add(peer);
    // A whole roster is compared with the one it replaces, not applied as a change.
    const change = frame.base === 0 ? undefined : frame;
    return (
      this.#rosters.adopt(link, owner, frame.room, frame.ver, frame.sig, next, change) ?? ACCEPTED
    );
  }

  /** `link` no longer reaches `owner`. */
  withdraw(link: object, ownerId: string): void {
    const owner = this.#owners.get(ownerId);
    if (owner !== undefined) this.#dropRoute(owner, link, this.#now());
  }

  /**
   * The link to node `node` closed: no route any more, its budget freed. `node` itself may be dead
   * (see #dropRoute); the owners it relayed keep their lease, even with no route left, until a link
   * brings their beats again (OwnerState.relayLost): a dead relay says nothing about them. A link
   * `replaced` by a duplicate to the same node says nothing about `node` either.
   */
  linkClosed(link: object, node: string, replaced = false): void {
    const now = this.#now();
    for (const owner of this.#owners.values()) {
      if (owner.introducer === link) owner.introducer = undefined;
      for (const roster of owner.rosters.values())
        if (roster.introducer === link) roster.introducer = undefined;
      owner.skipped.delete(link);
      if (owner.id === node && !replaced) {
        this.#dropRoute(owner, link, now);
        const wanted = this.#stillSkipped(owner);
        owner.skipped.clear();
        if (wanted.length > 0) this.#askAgain(owner.id, wanted);
      } else if (owner.dropRoute(link, now, 0, false)) this.#refresh(owner);
    }
    this.#ownersPerLink.delete(link);
    this.#rosters.linkClosed(link);
  }

  /** What `owner`'s skipped copies hold that we still lack (the direct link did not bring it). */
  #stillSkipped(owner: OwnerState): { link: object; rooms: RoomHash[] }[] {
    const asks: { link: object; rooms: RoomHash[] }[] = [];
    for (const [link, versions] of owner.skipped) {
      const rooms: RoomHash[] = [];
      for (const [room, ver] of versions)
        if (ver > (owner.rosters.get(room)?.ver ?? 0) && this.#rosters.holds(room))
          rooms.push(room);
      if (rooms.length > 0) asks.push({ link, rooms });
    }
    return asks;
  }

  /** The node behind `link` said it left `room`: its own roster there is empty now. */
  roomUnshared(room: RoomHash, linkNode: string): void {
    const owner = this.#owners.get(linkNode);
    if (owner !== undefined) this.#rosters.set(owner, room, undefined);
  }

  /** Applies the clock: owners whose lease or grace ran out are gone; long-gone ones forgotten. */
  tick(): void {
    const now = this.#now();
    for (const owner of [...this.#owners.values()]) {
      this.#refresh(owner);
      if (!owner.visible && now - owner.invisibleSince > this.#limits.forgetMs) this.#forget(owner);
    }
  }

  /**
   * May a message from `owner`'s member come in over `link`? Only along the owner's route: over
   * the direct link when there is one (`direct`), else over a link that brings its beats. While a
   * direct link is new (not `settled`), links that bring the owner's beats count too: messages
   * the owner sent before the link shared the room, or before it knew the link did, come the old
   * way, and the direct link never carries them.
   */
  acceptMessage(
    room: RoomHash,
    from: PeerId,
    link: object,
    direct: (owner: string) => { link: object; settled: boolean } | undefined,
  ): OwnerState | MessageRefusal {
    const owner = this.ownerOf(room, from);
    if (owner === undefined) return 'unknown-member';
    const directLink = direct(owner.id);
    const onRoute =
      directLink?.link === link ||
      (directLink?.settled !== true && owner.freshRoutes().includes(link));
    if (!onRoute) return 'off-route';
    if (
      !owner.takeMessage(
        this.#now(),
        this.#limits.ownerMessagesPerSecond,
        this.#limits.ownerMessageBurst,
      )
    )
      return 'owner-rate';
    return owner;
  }

  /** Makes `owner`'s members present or absent after a liveness change. */
  #refresh(owner: OwnerState): void {
    const alive = owner.alive(this.#now(), this.#leaseMs(owner));
    if (alive === owner.visible) return;
    owner.visible = alive;
    this.#rosters.show(owner, alive);
    if (alive) {
      this.#onVisible(owner);
      return;
    }
    // Replaying what it said before never revives it: only a newer beat does.
    owner.requireAdvance(this.#now());
    owner.invisibleSince = this.#now();
    this.#onGone(owner.id);
  }

  /**
   * `link` withdrew `owner`, or was the owner's own link and closed. A withdraw while the owner's
   * own link still brings its newest beats proves nothing (its lease still watches it). Otherwise
   * the owner must show a newer beat through another route within the grace. Doubting owners for a
   * relay's death put live ones on a 1.75 s trial, and a late beat got one reported gone (4-process
   * SIGKILL test, CI).
   */
  #dropRoute(owner: OwnerState, link: object, now: number): void {
    const direct = this.#directLink(owner.id);
    const vouched = direct !== undefined && direct !== link && owner.freshRoutes().includes(direct);
    if (owner.dropRoute(link, now, this.#graceMs(owner), !vouched)) this.#refresh(owner);
  }

  /**
   * True when `owner` is linked to us directly and `via` is another link. A skipped copy newer
   * than what we hold is remembered (link and room), to be asked for again if the direct link
   * closes before it brings that version.
   */
  #relayedWhileLinked(
    owner: OwnerState,
    via: object,
    frame: { room: RoomHash; ver: number },
  ): boolean {
    const direct = this.#directLink(owner.id);
    if (direct === undefined || direct === via) return false;
    if (frame.ver > (owner.rosters.get(frame.room)?.ver ?? 0)) {
      const rooms = owner.skipped.get(via) ?? new Map<RoomHash, number>();
      rooms.set(frame.room, Math.max(rooms.get(frame.room) ?? 0, frame.ver));
      owner.skipped.set(via, rooms);
    }
    return true;
  }

  #forget(owner: OwnerState): void {
    this.#rosters.dropAll(owner);
    const introducer = owner.introducer;
    if (introducer !== undefined)
      this.#ownersPerLink.set(introducer, (this.#ownersPerLink.get(introducer) ?? 0) - 1);
    this.#owners.delete(owner.id);
  }

  #leaseMs(owner: OwnerState): number {
    return Math.max(this.#limits.leaseMs, owner.interval * 3);
  }

  #graceMs(owner: OwnerState): number {
    return Math.round(owner.interval * 1.5) + 250;
  }
}
