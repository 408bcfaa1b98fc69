import { verify, type KeyObject } from 'node:crypto';
import {
  anchorSigningText,
  fromBase64url,
  utf8,
  type AnchorFrame,
  type Beat,
  type PeerId,
  type RoomHash,
} from '@sigmesh/protocol';
import { verifyingKey } from '../../identity/ed25519-verify.js';
import { followsInChain, sha256 } from './hash-chain.js';

/** An owner's roster of one room as we hold it. */
export interface HeldRoster {
  ver: number;
  members: Set<PeerId>;
  sig: string;
  /** The link that brought this roster first: its member budget pays for it. */
  introducer: object | undefined;
}

/** A large roster arriving in parts. */
export interface PartialRoster {
  readonly ver: number;
  readonly sig: string;
  readonly parts: number;
  readonly got: Map<number, readonly PeerId[]>;
}

/** What a beat told us. */
export type BeatVerdict = 'new' | 'current' | 'stale' | 'invalid' | 'unknown-chain';

/** What an anchor is, compared with the one we hold. */
export type AnchorVerdict = 'same' | 'older' | 'next-chain' | 'new-epoch';

/**
 * One remote owner (another node with members in rooms we share): the chain of its latest anchor
 * and the newest beat we checked, which links bring its beats (its routes), and its rosters.
 */
export class OwnerState {
  readonly id: string;
  readonly key: KeyObject;
  epoch: string;
  started: number;
  chain: number;
  length: number;
  interval: number;
  anchor: AnchorFrame;
  lastIndex = 0;
  lastValue: Uint8Array;
  /** When a beat last moved the chain forward (undefined before the first one). */
  lastAdvanceAt: number | undefined;
  /** Links that delivered one of the latest beats, with the newest index each delivered. */
  readonly routes = new Map<object, number>();
  /** The link that delivered the newest beat first: the way toward this owner. */
  firstRoute: object | undefined;
  /**
   * After losing a route: the owner must beat past this index by `suspectUntil`, or it is gone.
   * Only a beat arriving a quarter interval after the loss (`suspectSince`) counts: copies of the
   * beat the owner sent just before it died may still be on their way through other nodes (a few
   * milliseconds per hop). The window is short because a live owner's next counted beat must fit
   * in the grace: it arrives at most one interval after the window closes, and the grace (1.5
   * intervals + 250 ms) leaves a quarter interval + 250 ms for its delay. With half an interval,
   * a beat sent just inside the window put the next one at the grace's very edge, and a live owner
   * was sometimes judged gone when a neighbour died (4-process SIGKILL test, loaded CI runs).
   */
  suspectIndex: number | undefined;
  suspectSince = 0;
  suspectUntil = 0;
  /**
   * The last link bringing the newest beats closed, and it was a relay's, not the owner's own: the
   * owner keeps its lease with no route until a link brings its beats again. Only its own beats
   * renew the lease, so a relay cycling its links cannot stretch it.
   */
  relayLost = false;
  visible = false;
  invisibleSince: number;
  readonly rosters = new Map<RoomHash, HeldRoster>();
  /**
   * Links whose relayed rosters or deltas we skipped for the owner's own link: the newest skipped
   * version per room (remote-owners.ts, `askAgain`).
   */
  readonly skipped = new Map<object, Map<RoomHash, number>>();
  readonly partial = new Map<RoomHash, PartialRoster>();
  /** Rooms whose roster broke a budget: ignored until the owner's next epoch. */
  readonly refused = new Set<RoomHash>();
  /** The link that brought the owner first (its owner budget pays). */
  introducer: object | undefined;
  /** Message allowance (token bucket state). */
  tokens: number;
  tokensAt: number;

  constructor(anchor: AnchorFrame, key: KeyObject, now: number, messageBurst: number) {
    this.id = anchor.owner;
    this.key = key;
    this.epoch = anchor.epoch;
    this.started = anchor.started;
    this.chain = anchor.chain;
    this.length = anchor.length;
    this.interval = anchor.interval;
    this.anchor = anchor;
    this.lastValue = fromBase64url(anchor.root) ?? new Uint8Array();
    this.invisibleSince = now;
    this.tokens = messageBurst;
    this.tokensAt = now;
  }

  /** Checks an anchor's signature under the owner key it names; returns that key when good. */
  static verifyAnchor(anchor: AnchorFrame, known?: KeyObject): KeyObject | undefined {
    const key = known ?? verifyingKey(Buffer.from(anchor.owner, 'hex'));
    return key !== undefined && verifySig(key, anchorSigningText(anchor), anchor.sig)
      ? key
      : undefined;
  }

  /** How `anchor` relates to ours (its signature must be checked separately). */
  compare(anchor: AnchorFrame): AnchorVerdict {
    if (anchor.epoch !== this.epoch) return anchor.started > this.started ? 'new-epoch' : 'older';
    if (anchor.chain > this.chain) return 'next-chain';
    return anchor.chain === this.chain && anchor.root === this.anchor.root ? 'same' : 'older';
  }

  /** Moves to the next chain of the same epoch (routes and visibility stay). */
  nextChain(anchor: AnchorFrame): void {
    this.chain = anchor.chain;
    this.length = anchor.length;
    this.interval = anchor.interval;
    this.anchor = anchor;
    this.lastIndex = 0;
    this.lastValue = fromBase64url(anchor.root) ?? new Uint8Array();
    // The routes that brought the old chain stay routes until the new chain's beats arrive; an
    // owner that had to prove itself still must, now with the new chain.
    for (const link of this.routes.keys()) this.routes.set(link, 0);
    if (this.suspectIndex !== undefined) this.suspectIndex = 0;
  }

  /**
   * Checks a beat brought by `link`: a new chain value (at most `maxGap` steps ahead of the newest
   * we hold) moves the chain forward; the newest value again, or the one before, keeps `link` as a
   * route. Anything else proves nothing.
   */
  beat(beat: Beat, link: object, now: number, maxGap: number): BeatVerdict {
    if (beat.epoch !== this.epoch || beat.chain !== this.chain) return 'unknown-chain';
    if (beat.i > this.length) return 'invalid';
    if (beat.i > this.lastIndex) {
      const value = fromBase64url(beat.h);
      if (
        value === undefined ||
        beat.i - this.lastIndex > maxGap ||
        !followsInChain(this.lastValue, this.lastIndex, value, beat.i)
      ) {
        return 'invalid';
      }
      this.lastIndex = beat.i;
      this.lastValue = value;
      this.lastAdvanceAt = now;
      this.firstRoute = link;
      this.routes.set(link, beat.i);
      this.relayLost = false;
      if (
        this.suspectIndex !== undefined &&
        beat.i > this.suspectIndex &&
        now >= this.suspectSince + this.interval / 4
      )
        this.suspectIndex = undefined;
      return 'new';
    }
    const value = fromBase64url(beat.h);
    if (value === undefined) return 'invalid';
    const known =
      beat.i === this.lastIndex
        ? this.lastValue
        : beat.i === this.lastIndex - 1
          ? sha256(this.lastValue)
          : undefined;
    if (known === undefined) return 'stale';
    if (Buffer.compare(value, known) !== 0) return 'invalid';
    this.routes.set(link, Math.max(this.routes.get(link) ?? 0, beat.i));
    this.relayLost = false;
    return 'current';
  }

  /** Links that brought one of the two newest beats. */
  freshRoutes(): object[] {
    const out: object[] = [];
    for (const [link, index] of this.routes) if (index >= this.lastIndex - 1) out.push(link);
    return out;
  }

  /** True when some link other than `except` brought one of the two newest beats. */
  hasRouteExcept(except: object): boolean {
    for (const [link, index] of this.routes)
      if (link !== except && index >= this.lastIndex - 1) return true;
    return false;
  }

  /**
   * Forgets `link` as a route; true when it was one. With `doubt`, the owner must then beat anew
   * within `graceMs` (see `suspectIndex`); without, it stays as it was, under its lease, even if
   * that was its last route (see `relayLost`).
   */
  dropRoute(link: object, now: number, graceMs: number, doubt = true): boolean {
    const index = this.routes.get(link);
    if (index === undefined) return false;
    this.routes.delete(link);
    const fresh = this.freshRoutes();
    if (this.firstRoute === link) this.firstRoute = fresh[0];
    if (!doubt) {
      // Only a route that brought one of the newest beats leaves the owner as it was.
      if (index >= this.lastIndex - 1 && fresh.length === 0) this.relayLost = true;
      return true;
    }
    this.relayLost = false;
    // The owner may still be reachable another way, or it may be dead: believe the other routes
    // only if a newer beat comes through them soon.
    // The deadline is set when the doubt starts: more losses (a neighbour's withdraw) never
    // extend it, or a cascade of withdraws would each add a grace period.
    if (this.suspectIndex === undefined) {
      this.suspectIndex = this.lastIndex;
      this.suspectSince = now;
      this.suspectUntil = now + graceMs;
    }
    return true;
  }

  /** From now on only a beat newer than the last one brings the owner back (it was found gone). */
  requireAdvance(now: number): void {
    // After a lost route the wait for late copies stands; after a lapsed lease none can be late.
    if (this.suspectIndex === undefined) this.suspectSince = now - this.interval;
    this.suspectIndex = this.lastIndex;
    this.suspectUntil = 0;
    this.relayLost = false;
  }

  /** Should the owner count as present at `now`, given the lease? */
  alive(now: number, leaseMs: number): boolean {
    if (this.lastAdvanceAt === undefined || now - this.lastAdvanceAt > leaseMs) return false;
    if (this.suspectIndex !== undefined && now > this.suspectUntil) return false;
    return this.relayLost || this.freshRoutes().length > 0;
  }

  /** Checks a roster signature by this owner. */
  verify(text: string, sig: string): boolean {
    return verifySig(this.key, text, sig);
  }

  /** Takes one message from the owner's allowance. */
  takeMessage(now: number, perSecond: number, burst: number): boolean {
    this.tokens = Math.min(burst, this.tokens + ((now - this.tokensAt) * perSecond) / 1000);
    this.tokensAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

function verifySig(key: KeyObject, text: string, sig: string): boolean {
  const signature = fromBase64url(sig);
  return (
    signature !== undefined && signature.length === 64 && verify(null, utf8(text), key, signature)
  );
}

/** Adds to `into` every link `owner`'s state refers to: routes, introducers, skipped copies. */
export function heldLinks(owner: OwnerState, into: Set<object>): void {
  for (const link of owner.routes.keys()) into.add(link);
  for (const link of owner.skipped.keys()) into.add(link);
  if (owner.introducer !== undefined) into.add(owner.introducer);
  for (const roster of owner.rosters.values())
    if (roster.introducer !== undefined) into.add(roster.introducer);
}
