import { randomBytes } from 'node:crypto';
import {
  MESH_MAX_PEERS_PER_FRAME,
  anchorSigningText,
  rosterSigningText,
  toBase64url,
  utf8,
  type AnchorFrame,
  type Beat,
  type DeltaFrame,
  type PeerId,
  type RoomHash,
  type RosterFrame,
} from '@sigmesh/protocol';
import type { NodeIdentity } from '../../identity/node-identity.js';
import { BeatChain } from './hash-chain.js';
import { rosterDigest } from './roster-digest.js';

/** Our roster of one room: the signed state and the changes not yet announced. */
interface OwnRoster {
  ver: number;
  members: Set<PeerId>;
  /** The signature of `ver`; '' until a link needs it (a room no link shares is not signed). */
  sig: string;
  /** A large room's changes wait until then after a signed delta (0: not held). */
  heldUntil: number;
  readonly added: Set<PeerId>;
  readonly removed: Set<PeerId>;
}

/**
 * This node as an owner: its members per room, announced as signed, versioned rosters and deltas,
 * and its liveness, announced as beats of a signed hash chain. Versions grow across rooms and
 * restarts (they follow the clock), so a restarted node's rosters replace its old ones; the
 * random epoch tells receivers that everything of the previous run is gone.
 *
 * Signing a roster hashes its whole member list, so in a large room it is paced: a room of more
 * than `batchMembers` members is announced at most every `holdMs` (its changes in between go
 * out as one delta), and a room no link shares is not signed at all until a link needs it.
 */
export class OwnPresence {
  readonly epoch = randomBytes(8).toString('hex');
  readonly started: number;
  readonly #identity: NodeIdentity;
  readonly #now: () => number;
  #interval: number;
  readonly #chainLength: number;
  readonly #batchMembers: number;
  readonly #holdMs: number;
  readonly #rooms = new Map<RoomHash, OwnRoster>();
  #chainNumber = 0;
  #chain: BeatChain;
  #anchor: AnchorFrame;
  #index = 0;
  #lastVer = 0;

  constructor(options: {
    identity: NodeIdentity;
    now: () => number;
    /** Milliseconds between beats. */
    beatMs: number;
    /** Beats per chain (a new signed chain starts after this many). */
    chainLength: number;
    /** Rooms with more members than this are announced at most every `holdMs` (0: no pacing). */
    batchMembers: number;
    holdMs: number;
  }) {
    this.#batchMembers = options.batchMembers;
    this.#holdMs = options.holdMs;
    this.#identity = options.identity;
    this.#now = options.now;
    this.#interval = options.beatMs;
    this.#chainLength = options.chainLength;
    this.started = options.now();
    this.#chain = new BeatChain(this.#chainLength);
    this.#anchor = this.#signAnchor();
  }

  /** The anchor of the current chain. */
  anchor(): AnchorFrame {
    return this.#anchor;
  }

  /** The latest beat (the first one is revealed on first use, so an anchor never goes alone). */
  currentBeat(): Beat {
    if (this.#index === 0) this.#index = 1;
    return this.#beat();
  }

  /** Milliseconds between our beats now (signed into the anchor: receivers time leases by it). */
  get interval(): number {
    return this.#interval;
  }

  /**
   * Reveals the next chain value; starts (and returns the anchor of) a new chain when one is used
   * up, or when the beats go on at another `intervalMs` (beat-pacing.ts): receivers time our lease
   * by the interval the anchor names.
   */
  nextBeat(intervalMs = this.#interval): { beat: Beat; anchor?: AnchorFrame } {
    if (this.#index < this.#chain.length && intervalMs === this.#interval) {
      this.#index++;
      return { beat: this.#beat() };
    }
    this.#interval = intervalMs;
    this.#chainNumber++;
    this.#chain = new BeatChain(this.#chainLength);
    this.#anchor = this.#signAnchor();
    this.#index = 1;
    return { beat: this.#beat(), anchor: this.#anchor };
  }

  /** Notes a local member; announced by the next {@link flush}. */
  joined(room: RoomHash, peer: PeerId): void {
    const roster = this.#roster(room);
    if (roster.removed.delete(peer)) return;
    roster.added.add(peer);
  }

  /** Notes a local member gone; announced by the next {@link flush}. */
  left(room: RoomHash, peer: PeerId): void {
    const roster = this.#roster(room);
    if (roster.added.delete(peer)) return;
    roster.removed.add(peer);
  }

  /** True when changes wait to be announced. */
  dirty(): boolean {
    for (const roster of this.#rooms.values())
      if (roster.added.size > 0 || roster.removed.size > 0) return true;
    return false;
  }

  /** True when `peer` joined `room` and is not announced yet. */
  unannounced(room: RoomHash, peer: PeerId): boolean {
    return this.#rooms.get(room)?.added.has(peer) ?? false;
  }

  /**
   * Signs the waiting changes: one delta per room (several when more than a frame's worth changed,
   * each signed over its own resulting state). A room left empty is forgotten after its delta.
   * Rooms `shared` says no link holds take the changes unsigned and send nothing; a held large
   * room waits unless `force` names it (or is 'all'). Returns the deltas and when the earliest
   * held room may go (undefined when none waits).
   */
  flush(
    shared: (room: RoomHash) => boolean,
    force?: RoomHash | 'all',
  ): { deltas: DeltaFrame[]; heldUntil: number | undefined } {
    const deltas: DeltaFrame[] = [];
    const now = this.#now();
    let heldUntil: number | undefined;
    for (const [room, roster] of this.#rooms) {
      const changed = roster.added.size > 0 || roster.removed.size > 0;
      if (changed && roster.heldUntil > now && force !== 'all' && force !== room) {
        heldUntil = Math.min(heldUntil ?? roster.heldUntil, roster.heldUntil);
        continue;
      }
      if (changed && !shared(room)) {
        for (const peer of roster.added) roster.members.add(peer);
        for (const peer of roster.removed) roster.members.delete(peer);
        roster.added.clear();
        roster.removed.clear();
        roster.ver = this.#nextVer();
        roster.sig = '';
      }
      while (roster.added.size > 0 || roster.removed.size > 0) {
        const add = take(roster.added, MESH_MAX_PEERS_PER_FRAME);
        const remove = take(roster.removed, MESH_MAX_PEERS_PER_FRAME);
        for (const peer of add) roster.members.add(peer);
        for (const peer of remove) roster.members.delete(peer);
        const base = roster.ver;
        roster.ver = this.#nextVer();
        roster.sig = this.#signRoster(room, roster);
        deltas.push({
          t: 'delta',
          room,
          owner: this.#identity.id,
          epoch: this.epoch,
          base,
          ver: roster.ver,
          add,
          remove,
          sig: roster.sig,
        });
        if (this.#holdMs > 0 && roster.members.size > this.#batchMembers)
          roster.heldUntil = now + this.#holdMs;
      }
      if (roster.members.size === 0) this.#rooms.delete(room);
    }
    return { deltas, heldUntil };
  }

  /** True when we have announced members in `room`. */
  has(room: RoomHash): boolean {
    return (this.#rooms.get(room)?.ver ?? 0) > 0;
  }

  /** Our signed roster of `room` as snapshot frames (none when we have no members there). */
  snapshot(room: RoomHash): RosterFrame[] {
    const roster = this.#rooms.get(room);
    if (roster === undefined || roster.ver === 0) return [];
    if (roster.sig === '') roster.sig = this.#signRoster(room, roster);
    return snapshotFrames(
      room,
      this.#identity.id,
      this.epoch,
      roster.ver,
      roster.members,
      roster.sig,
    );
  }

  #roster(room: RoomHash): OwnRoster {
    let roster = this.#rooms.get(room);
    if (roster === undefined) {
      roster = {
        ver: 0,
        members: new Set(),
        sig: '',
        heldUntil: 0,
        added: new Set(),
        removed: new Set(),
      };
      this.#rooms.set(room, roster);
    }
    return roster;
  }

  #nextVer(): number {
    this.#lastVer = Math.max(this.#lastVer + 1, this.#now());
    return this.#lastVer;
  }

  #beat(): Beat {
    return {
      owner: this.#identity.id,
      epoch: this.epoch,
      chain: this.#chainNumber,
      i: this.#index,
      h: toBase64url(this.#chain.value(this.#index)),
    };
  }

  #signAnchor(): AnchorFrame {
    const fields = {
      owner: this.#identity.id,
      epoch: this.epoch,
      started: this.started,
      chain: this.#chainNumber,
      root: toBase64url(this.#chain.root),
      length: this.#chain.length,
      interval: this.#interval,
    };
    const sig = toBase64url(this.#identity.sign(utf8(anchorSigningText(fields))));
    return { t: 'anchor', ...fields, sig };
  }

  #signRoster(room: RoomHash, roster: OwnRoster): string {
    const text = rosterSigningText(
      room,
      this.#identity.id,
      this.epoch,
      roster.ver,
      rosterDigest(roster.members),
    );
    return toBase64url(this.#identity.sign(utf8(text)));
  }
}

/** A roster as snapshot frames of at most a frame's worth of members each. */
export function snapshotFrames(
  room: RoomHash,
  owner: string,
  epoch: string,
  ver: number,
  members: Iterable<PeerId>,
  sig: string,
): RosterFrame[] {
  const all = [...members];
  const parts = Math.max(1, Math.ceil(all.length / MESH_MAX_PEERS_PER_FRAME));
  return Array.from({ length: parts }, (_, part) => ({
    t: 'roster',
    room,
    owner,
    epoch,
    ver,
    members: all.slice(part * MESH_MAX_PEERS_PER_FRAME, (part + 1) * MESH_MAX_PEERS_PER_FRAME),
    part,
    parts,
    sig,
  }));
}

function take(set: Set<PeerId>, count: number): PeerId[] {
  const out: PeerId[] = [];
  for (const value of set) {
    if (out.length === count) break;
    out.push(value);
  }
  for (const value of out) set.delete(value);
  return out;
}
