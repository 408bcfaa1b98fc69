import {
  toBase64url,
  type AnchorFrame,
  type Beat,
  type BeatsFrame,
  type DeltaFrame,
  type PeerId,
  type RoomHash,
  type RosterFrame,
  type WantFrame,
} from '@sigmesh/protocol';
import { BeatBatches } from './beat-batches.js';
import { largestRoomSpan, pacedBeatMs, type BeatPacing } from './presence/beat-pacing.js';
import { chainKey, type MeshLink } from './mesh-link.js';
import type { MeshStats } from './mesh-stats.js';
import type { OwnPresence } from './presence/own-presence.js';
import { snapshotFrames } from './presence/own-presence.js';
import type { OwnerState } from './presence/owner-state.js';
import type { RemoteOwners } from './presence/remote-owners.js';
import type { PresenceOutcome } from './presence/presence-types.js';

/** What presence needs from the mesh. */
export interface PresenceHost {
  /** Open links, by the other node's id. */
  links(): Iterable<MeshLink>;
  /** Open links sharing `room`. */
  sharing(room: RoomHash): Iterable<MeshLink>;
  violation(link: MeshLink, reason: string, points: number): void;
  readonly stats: MeshStats;
}

/** Wants answered per link, owner and room, at most once per this long. */
const WANT_INTERVAL_MS = 1_000;

/**
 * Presence across the mesh: our own roster and beats going out, other owners' anchors, beats,
 * rosters and deltas coming in, checked ({@link RemoteOwners}) and passed on to the links that
 * share the room. A link gets an owner's anchor before its first roster, and that owner's beats
 * from then on; a link that lost an owner's trail is sent a `withdraw`.
 */
export class PresenceSync {
  readonly own: OwnPresence;
  readonly owners: RemoteOwners;
  readonly #selfId: string;
  readonly #host: PresenceHost;
  readonly #now: () => number;
  readonly #wantsAnswered = new Map<string, number>();
  readonly #wantsAsked = new Map<string, number>();
  readonly #forwarded: BeatBatches;
  readonly #pacing: BeatPacing;
  #flushTimer: NodeJS.Immediate | undefined;
  /** Runs while a large room's changes wait out its hold ({@link OwnPresence.flush}). */
  #holdTimer: NodeJS.Timeout | undefined;

  constructor(options: {
    selfId: string;
    own: OwnPresence;
    owners: RemoteOwners;
    host: PresenceHost;
    now: () => number;
    /** How long other owners' beats are held to be passed on together ({@link BeatBatches}). */
    beatHoldMs: number;
    /** Our beat interval and how it stretches in rooms of many nodes (beat-pacing.ts). */
    pacing: BeatPacing;
  }) {
    this.#pacing = options.pacing;
    this.#selfId = options.selfId;
    this.own = options.own;
    this.owners = options.owners;
    this.#host = options.host;
    this.#now = options.now;
    this.#forwarded = new BeatBatches(options.beatHoldMs);
  }

  // ── our own presence ────────────────────────────────────────────────────────────────────────

  /** A local member joined or left: announced in the next flush (same turn batching). */
  localChanged(room: RoomHash, peer: PeerId, joined: boolean): void {
    if (joined) this.own.joined(room, peer);
    else this.own.left(room, peer);
    this.#flushTimer ??= setImmediate(() => this.flushOwn());
  }

  /** True while local joins or leaves wait for the next flush. */
  get pending(): boolean {
    return this.#flushTimer !== undefined || this.#holdTimer !== undefined;
  }

  /**
   * Announces `peer` now if it joined `room` and is not in our roster yet (its room's hold
   * notwithstanding): other nodes take messages only from members its owner lists.
   */
  announce(room: RoomHash, peer: PeerId): void {
    if (this.own.unannounced(room, peer)) this.flushOwn(room);
  }

  /**
   * Signs and sends our pending roster changes now: every room's, or with `force` 'all' also
   * those of large rooms still held; with a room, that room's too. Held rooms go when their hold ends.
   */
  flushOwn(force?: RoomHash | 'all'): void {
    if (this.#flushTimer !== undefined) clearImmediate(this.#flushTimer);
    this.#flushTimer = undefined;
    const { deltas, heldUntil } = this.own.flush((room) => isShared(this.#host, room), force);
    for (const delta of deltas) {
      for (const link of this.#host.sharing(delta.room)) {
        this.#ensureOwnAnchor(link);
        link.send(delta);
      }
    }
    clearTimeout(this.#holdTimer);
    this.#holdTimer = undefined;
    if (heldUntil !== undefined) {
      this.#holdTimer = setTimeout(
        () => {
          this.#holdTimer = undefined;
          this.flushOwn();
        },
        Math.max(1, heldUntil - this.#now()),
      );
      this.#holdTimer.unref();
    }
  }

  /** Stops the hold timer and drops held beats (the node is stopping; a last flush with 'all' went before). */
  stop(): void {
    this.#forwarded.stop();
    clearImmediate(this.#flushTimer);
    clearTimeout(this.#holdTimer);
    this.#flushTimer = undefined;
    this.#holdTimer = undefined;
  }

  /**
   * Our next beat, to every link that holds our anchor (a new chain's anchor goes first), with the
   * other owners' beats held for that link. Paced by the most nodes a room of ours spans (a
   * change of interval starts a new chain); returns the milliseconds until the next beat.
   */
  beat(): number {
    const span = largestRoomSpan(this.owners.owners()) + 1;
    const interval = pacedBeatMs(span, this.own.interval, this.#pacing);
    const { beat, anchor } = this.own.nextBeat(interval);
    this.#host.stats.beatMs = interval;
    for (const link of this.#host.links()) {
      if (!link.anchorsSent.has(this.#selfId)) continue;
      if (anchor !== undefined) {
        link.send(anchor);
        link.anchorsSent.set(this.#selfId, chainKey(anchor));
      }
      this.#forwarded.send(link, beat);
    }
    return interval;
  }

  /** `room` became shared with `link`: it gets every roster we hold there, with anchors and beats. */
  shared(link: MeshLink, room: RoomHash): void {
    forgetRoom(link, room); // whatever it had of the room before, it dropped when it left
    if (this.own.has(room)) this.#sendOwnSnapshot(link, room);
    for (const owner of this.owners.owners()) {
      if (owner.id === link.remoteId || !owner.rosters.has(room)) continue;
      this.#sendRoster(link, owner, room);
    }
  }

  /** The node behind `link` left `room`: its own members there are gone. */
  unshared(link: MeshLink, room: RoomHash): void {
    forgetRoom(link, room);
    this.owners.roomUnshared(room, link.remoteId!);
  }

  // ── frames from other nodes ─────────────────────────────────────────────────────────────────

  anchor(link: MeshLink, frame: AnchorFrame): void {
    if (frame.owner === this.#selfId) return;
    const outcome = this.owners.anchor(link, frame);
    if (!this.#settle(link, outcome, frame.owner)) return;
    link.anchorsSent.set(frame.owner, chainKey(frame));
    if (outcome.kind !== 'accepted') return;
    // A new chain (or epoch) of an owner others follow through us: they need it before its beats.
    for (const other of this.#host.links()) {
      if (other === link || !other.anchorsSent.has(frame.owner)) continue;
      other.send(frame);
      other.anchorsSent.set(frame.owner, chainKey(frame));
    }
  }

  beats(link: MeshLink, frame: BeatsFrame): void {
    this.#host.stats.beatsReceived += frame.beats.length;
    for (const beat of frame.beats) {
      if (beat.owner === this.#selfId) continue;
      const outcome = this.owners.beat(link, beat, (hashes) =>
        link.hashBudget.take(hashes, this.#now()),
      );
      if (!this.#settle(link, outcome, beat.owner)) continue;
      // The link follows this chain itself: it needs neither its anchor nor its beats from us.
      link.anchorsSent.set(beat.owner, chainKey(beat));
      if (outcome.kind !== 'accepted') continue;
      for (const other of this.#host.links()) {
        if (other === link || other.anchorsSent.get(beat.owner) !== chainKey(beat)) continue;
        other.withdrawn.delete(beat.owner);
        this.#forwarded.add(other, beat);
      }
    }
  }

  roster(link: MeshLink, frame: RosterFrame): void {
    if (frame.owner === this.#selfId) return;
    const outcome = this.owners.roster(link, frame);
    if (!this.#settle(link, outcome, frame.owner, frame.room)) return;
    if (outcome.kind !== 'accepted') return;
    const owner = this.owners.get(frame.owner);
    const held = owner?.rosters.get(frame.room);
    // Parts of a large roster are passed on once the whole has been checked.
    if (owner === undefined || held?.ver !== frame.ver) return;
    link.rostersSent.set(`${frame.owner} ${frame.room}`, frame.ver);
    for (const other of this.#host.sharing(frame.room)) {
      if (other !== link && other.remoteId !== frame.owner)
        this.#sendRoster(other, owner, frame.room);
    }
  }

  delta(link: MeshLink, frame: DeltaFrame): void {
    if (frame.owner === this.#selfId) return;
    const outcome = this.owners.delta(link, frame);
    if (!this.#settle(link, outcome, frame.owner, frame.room)) return;
    if (outcome.kind !== 'accepted') return;
    const owner = this.owners.get(frame.owner)!;
    const key = `${frame.owner} ${frame.room}`;
    link.rostersSent.set(key, frame.ver); // it has this version: it sent it
    for (const other of this.#host.sharing(frame.room)) {
      if (other === link || other.remoteId === frame.owner) continue;
      // A link that has the base gets the delta; one that has nothing of it, the whole roster.
      if (other.rostersSent.get(key) === frame.base) {
        if (!this.#ensureAnchor(other, owner)) continue;
        other.rostersSent.set(key, frame.ver);
        other.send(frame);
      } else this.#sendRoster(other, owner, frame.room);
    }
  }

  want(link: MeshLink, frame: WantFrame): void {
    const rooms =
      frame.room === undefined
        ? [...(link.interests?.shared ?? [])]
        : link.interests?.shared.has(frame.room) === true
          ? [frame.room]
          : [];
    const now = this.#now();
    for (const room of rooms) {
      const key = `${link.remoteId}\n${frame.owner}\n${room}`;
      if (now - (this.#wantsAnswered.get(key) ?? -Infinity) < WANT_INTERVAL_MS) continue;
      if (!link.wantBudget.take(1, now)) return;
      this.#wantsAnswered.set(key, now);
      if (frame.owner === this.#selfId) this.#sendOwnSnapshot(link, room);
      else {
        const owner = this.owners.get(frame.owner);
        if (owner?.rosters.has(room) === true) this.#sendRoster(link, owner, room, true);
      }
    }
    this.#trim(this.#wantsAnswered, now);
  }

  /**
   * `owner`'s own link closed before it brought what we skipped from other links: ask them again,
   * room by room (a room's `want` is answered with that roster whatever the link had before).
   */
  askAgain(owner: string, asks: readonly { link: MeshLink; rooms: readonly RoomHash[] }[]): void {
    const now = this.#now();
    for (const { link, rooms } of asks) {
      if (link.state !== 'open') continue;
      for (const room of rooms) {
        const key = `${link.remoteId}\n${owner}\n${room}`;
        if (now - (this.#wantsAsked.get(key) ?? -Infinity) < WANT_INTERVAL_MS) continue;
        this.#wantsAsked.set(key, now);
        link.send({ t: 'want', owner, room });
      }
    }
    this.#trim(this.#wantsAsked, now);
  }

  withdraw(link: MeshLink, owners: readonly string[]): void {
    for (const owner of owners) this.owners.withdraw(link, owner);
  }

  /** An owner counts as alive again (or for the first time): the room's links get its rosters. */
  visible(owner: OwnerState): void {
    for (const room of owner.rosters.keys())
      for (const link of this.#host.sharing(room))
        if (link.remoteId !== owner.id) this.#sendRoster(link, owner, room);
  }

  /** An owner stopped counting as alive: the links following it through us are told. */
  gone(ownerId: string): void {
    for (const link of this.#host.links()) {
      if (!link.anchorsSent.has(ownerId) || link.withdrawn.has(ownerId)) continue;
      link.withdrawn.add(ownerId);
      link.send({ t: 'withdraw', owners: [ownerId] });
    }
  }

  /** Reacts to a frame's outcome; false when the frame is to be dropped. */
  #settle(link: MeshLink, outcome: PresenceOutcome, owner: string, room?: RoomHash): boolean {
    switch (outcome.kind) {
      case 'violation':
        this.#host.stats.presenceRefused++;
        this.#host.violation(link, outcome.reason, 20);
        return false;
      case 'want': {
        const key = `${link.remoteId}\n${owner}\n${room ?? ''}`;
        const now = this.#now();
        if (now - (this.#wantsAsked.get(key) ?? -Infinity) >= WANT_INTERVAL_MS) {
          this.#wantsAsked.set(key, now);
          link.send(room === undefined ? { t: 'want', owner } : { t: 'want', owner, room });
          this.#trim(this.#wantsAsked, now);
        }
        return false;
      }
      case 'ignored':
        return false;
      default:
        return true;
    }
  }

  #sendOwnSnapshot(link: MeshLink, room: RoomHash): void {
    this.#ensureOwnAnchor(link);
    for (const frame of this.own.snapshot(room)) link.send(frame);
  }

  #ensureOwnAnchor(link: MeshLink): void {
    const anchor = this.own.anchor();
    if (link.anchorsSent.get(this.#selfId) === chainKey(anchor)) return;
    link.send(anchor);
    link.anchorsSent.set(this.#selfId, chainKey(anchor));
    link.send({ t: 'beats', beats: [this.own.currentBeat()] });
  }

  /** Sends an owner's anchor (and latest beat) to `link` unless it has them; false if we cannot. */
  #ensureAnchor(link: MeshLink, owner: OwnerState): boolean {
    if (!owner.visible) return false;
    if (link.anchorsSent.get(owner.id) === chainKey(owner)) return true;
    link.send(owner.anchor);
    link.anchorsSent.set(owner.id, chainKey(owner));
    link.withdrawn.delete(owner.id);
    if (owner.lastIndex > 0) {
      const beat: Beat = {
        owner: owner.id,
        epoch: owner.epoch,
        chain: owner.chain,
        i: owner.lastIndex,
        h: toBase64url(owner.lastValue),
      };
      link.send({ t: 'beats', beats: [beat] });
    }
    return true;
  }

  /** Sends `owner`'s roster of `room` unless `link` has that version (or `force`: it asked). */
  #sendRoster(link: MeshLink, owner: OwnerState, room: RoomHash, force = false): void {
    const held = owner.rosters.get(room);
    if (held === undefined) return;
    const key = `${owner.id} ${room}`;
    if (!force && (link.rostersSent.get(key) ?? -1) >= held.ver) return;
    if (!this.#ensureAnchor(link, owner)) return;
    link.rostersSent.set(key, held.ver);
    for (const frame of snapshotFrames(
      room,
      owner.id,
      owner.epoch,
      held.ver,
      held.members,
      held.sig,
    ))
      link.send(frame);
  }

  #trim(map: Map<string, number>, now: number): void {
    if (map.size < 10_000) return;
    for (const [key, at] of map) if (now - at >= WANT_INTERVAL_MS) map.delete(key);
  }
}

/** Forgets which rosters of `room` a link was sent. */
function forgetRoom(link: MeshLink, room: RoomHash): void {
  for (const key of link.rostersSent.keys())
    if (key.endsWith(` ${room}`)) link.rostersSent.delete(key);
}

/** True when some open link shares `room`. */
function isShared(host: PresenceHost, room: RoomHash): boolean {
  for (const _link of host.sharing(room)) return true;
  return false;
}
