import type { PeerId, RoomHash, TrackerId } from '@sigmesh/protocol';
import type { Member } from '../../rooms/member.js';
import { OfferPark, type ParkBudget } from './offer-park.js';
import { SwarmCensus } from './swarm-census.js';
import type { TrackerConnection } from './tracker-connection.js';

/**
 * How long an offer placed with a target keeps the same offer from being placed again: Trystero
 * re-sends its pool every 10–20 s, to every tracker it uses, and a second peer could not
 * complete an offer the first one answers.
 */
export const PLACED_MS = 30_000;

/**
 * Swarms of at most this many members prefer offer targets likely to answer (offer-relay.ts
 * `pickTargets`): Trystero rooms, where every page connects to every other.
 */
export const PREFERRING_MAX_MEMBERS = 64;

/** An offer a peer made, relayed to one member (aquatic's outstanding offer). */
export interface SentOffer {
  /** The member the offer went to: only its answer is forwarded. */
  readonly target: PeerId;
  readonly at: number;
  /** Answered already: kept (it still marks the offer as placed), but takes no second answer. */
  answered: boolean;
}

/** An offer delivered to a peer, remembered so its answer can go back to where it came from. */
export interface ReceivedOffer {
  /** The offering peer: an answer must name it (`to_peer_id`). */
  readonly offerer: TrackerId;
  /** The offering member, here or on another node. */
  readonly origin: PeerId;
  readonly at: number;
}

/** An offer waiting for a member to appear. */
export interface ParkedOffer {
  readonly peer: SwarmPeer;
  readonly offerId: TrackerId;
  readonly sdp: string;
  readonly until: number;
  /**
   * Placed with a target already, and kept in case that target leaves it unanswered
   * (offer-relay.ts `unparkOffers`); otherwise it found no target.
   */
  readonly placed: boolean;
}

/** Members remembered per peer in {@link SwarmPeer.pairedWith}: a small swarm's worth. */
export const MAX_PAIRS_REMEMBERED = 64;

/** Notes that `peer` paired with `member` (an answer went between them) at `now`. */
export function notePair(peer: SwarmPeer, member: PeerId, now: number): void {
  const pairs = (peer.pairedWith ??= new Map());
  if (pairs.size < MAX_PAIRS_REMEMBERED || pairs.has(member)) pairs.set(member, now);
}

/** Entries of {@link SwarmPeer.sent} and {@link SwarmPeer.received} kept per peer (oldest dropped). */
export const MAX_OFFERS_REMEMBERED = 128;

/**
 * One tracker peer: a (connection, info_hash) pair, bound to one peer_id, and a member of the
 * swarm's room on this node. Tracker ids are kept as the wire's 20-character strings (hex only
 * on the mesh), so an announce converts nothing.
 */
export interface SwarmPeer {
  readonly swarm: Swarm;
  readonly connection: TrackerConnection;
  readonly peerId: TrackerId;
  readonly member: Member;
  seed: boolean;
  lastAnnounce: number;
  /** When it joined the swarm on this node. */
  readonly joinedAt: number;
  /**
   * Members it paired with — an answer relayed to it or from it — and when, up to
   * {@link MAX_PAIRS_REMEMBERED}; undefined until its first. In a small swarm its offers go to
   * them again only once the pair is old and then one per announce (offer-relay.ts
   * `pickTargets`: a connection that failed after its answer), and it is told the lone interval
   * while members it has not paired with remain (`Tracker.reply`).
   */
  pairedWith: Map<PeerId, number> | undefined;
  /**
   * Offers this peer made and placed, by offer_id: for its answer (from that target only), and
   * to keep the same offer announced again within {@link PLACED_MS} from a second target.
   */
  readonly sent: Map<TrackerId, SentOffer>;
  /**
   * Offers delivered to this peer, by offer_id. The offerer is in the entry: an answer naming
   * another `to_peer_id` is refused. Offer ids are 20 random bytes chosen by each offerer and
   * seen only by the tracker and the target, so another peer cannot take over an entry; an
   * offerer reusing its own offer_id for this target replaces its earlier offer.
   */
  readonly received: Map<TrackerId, ReceivedOffer>;
  /**
   * Room messages to other nodes waiting for this member's join to reach them: the mesh sends
   * presence at the end of the turn and messages at once, and a message from a member the other
   * node does not know yet is refused there. Undefined once the join is out.
   */
  outbox: Array<() => void> | undefined;
  /**
   * The other nodes were told it leaves the offers it is sent unanswered (`silent` in the
   * federation's `peer` message); they are told again when it answers one.
   */
  toldSilent: boolean;
  left: boolean;
}

/** One swarm (info hash) with local peers: its room, and what this node knows of its members. */
export class Swarm {
  readonly census = new SwarmCensus();
  /** Local peers by tracker peer_id: a peer_id is bound to one connection per swarm. */
  readonly local = new Map<TrackerId, SwarmPeer>();
  /** Local peers by member id. */
  readonly byMember = new Map<PeerId, SwarmPeer>();
  /**
   * Offers from other nodes delivered here, by offerer peer_id + offer_id → until when, and from
   * which member: the same offer placed here through several nodes (a client announcing to each,
   * a member on each) is delivered once; from the same member again it was moved on to another
   * target by its node (offer-relay.ts, an offer left unanswered), and is delivered.
   * (Offers of local peers are remembered in their {@link SwarmPeer.sent}.)
   */
  readonly remotePlaced = new Map<string, { readonly until: number; readonly from: PeerId }>();
  /** Members on other nodes not identified yet → when to ask them (`who`), and how often we did. */
  readonly unknown = new Map<PeerId, { due: number; attempts: number }>();
  /**
   * Offers that found no target when announced, and (in a small swarm) offers placed lately that
   * their target may leave unanswered, by offerer peer_id + offer_id: kept for members that
   * appear here or on other nodes shortly after (see offer-relay.ts `park`, `unparkOffers`).
   */
  readonly parked: OfferPark;
  /**
   * In a small swarm: members a local peer placed an offer with, and local members any offer was
   * delivered to → when the oldest offer they have not answered since was placed (an answer from
   * them, to any local peer or from a local member, clears it), or, for a member on another node,
   * as its node tells (`silent` in its `peer` message). A member that leaves offers unanswered is
   * stuck or hostile: a Trystero page answers every offer a small swarm sends it (offer-relay.ts
   * `pickTargets`). Entries leave with their member.
   */
  readonly unanswered = new Map<PeerId, number>();
  /**
   * In a small swarm: members known to answer — an answer from them went through this node.
   * Offered to first (offer-relay.ts `pickTargets`). Entries leave with their member.
   */
  readonly responsive = new Set<PeerId>();
  /** The last broadcast handled: one is delivered to every local member, but handled once. */
  lastBroadcast: unknown;

  constructor(
    readonly infoHash: TrackerId,
    readonly hex: string,
    readonly room: RoomHash,
    budget: ParkBudget,
  ) {
    this.parked = new OfferPark(budget);
  }

  /**
   * An offer was placed with `member` at `now` (by a local peer, or by any peer when the member
   * is local); true when it had answered everything before.
   */
  offeredTo(member: PeerId, now: number): boolean {
    if (this.unanswered.has(member)) return false;
    this.unanswered.set(member, now);
    return true;
  }

  /** `member` answered an offer (of a local peer, or as a local member). */
  answered(member: PeerId): void {
    this.unanswered.delete(member);
    if (this.census.size <= PREFERRING_MAX_MEMBERS && this.census.has(member))
      this.responsive.add(member);
  }

  /** `member` left the swarm (here or on another node). */
  forget(member: PeerId): void {
    this.unanswered.delete(member);
    this.responsive.delete(member);
  }

  /**
   * True when offer `offerId` of peer `offerer` was placed with a target less than
   * {@link PLACED_MS} ago — by a local peer, or arriving from another node (from another member
   * than `from`, when given: see {@link remotePlaced}).
   */
  placed(offerer: TrackerId, offerId: TrackerId, now: number, from?: PeerId): boolean {
    const sent = this.local.get(offerer)?.sent.get(offerId);
    if (sent !== undefined && now - sent.at < PLACED_MS) return true;
    if (this.remotePlaced.size === 0) return false; // a swarm on this node only
    const remote = this.remotePlaced.get(offerer + offerId);
    return remote !== undefined && remote.until > now && remote.from !== from;
  }
}

/**
 * Remembers an offer in a per-peer map. Past {@link MAX_OFFERS_REMEMBERED} entries the oldest
 * quarter is dropped at once: dropping one per insert walks an iterator over the holes that
 * deletions leave at the front of a Map, on every relayed offer.
 */
export function remember<K, T>(map: Map<K, T>, key: K, value: T): void {
  map.delete(key);
  map.set(key, value);
  if (map.size <= MAX_OFFERS_REMEMBERED) return;
  let drop = map.size - (MAX_OFFERS_REMEMBERED * 3) / 4;
  for (const oldest of map.keys()) {
    if (drop-- <= 0) break;
    map.delete(oldest);
  }
}
