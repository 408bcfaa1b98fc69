import { type ErrorCode, type PeerId, type TrackerId, type TrackerOffer } from '@sigmesh/protocol';
import {
  PLACED_MS,
  PREFERRING_MAX_MEMBERS,
  remember,
  type ParkedOffer,
  type SentOffer,
  type Swarm,
  type SwarmPeer,
} from './swarm.js';
import type { Tracker } from './tracker.js';

/**
 * How long an offer that found no target, or whose target may leave it unanswered, waits for a
 * member to join here or on another node: a little over the longest interval Trystero announces
 * at (it clamps the tracker's to 10–120 s, and keeps an offer out until the first announce after
 * it is 120 s old), so a page whose offers found no one stays in stock until it announces again.
 * (bittorrent-tracker's client drops its offers after 50 s: a late answer to one is ignored.)
 */
export const PARK_MS = 130_000;
/** Offers parked per swarm. */
const MAX_PARKED = 64;
/**
 * An offer placed and still unanswered after this long is taken as ignored: it may go to a
 * newcomer or, announced again, to another peer. Long enough for a browser to answer on a busy
 * machine, ICE gathering included (Trystero's torrent strategy and WebTorrent answer only once
 * it is complete): a target whose answer comes later is refused, and Trystero then ignores that
 * offerer for 23 s.
 */
export const IGNORED_MS = 10_000;
/**
 * A pair younger than this gets no further offers from its smaller peer in a small swarm; an older
 * one gets one per announce, after every member not paired yet: its connection may have failed
 * after the answer (Trystero then takes an offer from that peer again), which the tracker cannot
 * see.
 */
export const PAIR_HOLD_MS = 60_000;
/** The tiers of {@link pickTargets}, best first. */
const RESPONSIVE = 0;
const UNKNOWN = 1;
const SILENT = 2;
const OLD_PAIR = 3;
/** Offers per announce for each tier of {@link pickTargets}: one for old pairs. */
const OLD_PAIR_CAPS = [undefined, undefined, undefined, 1];
/** Targets an offer moves on to ({@link moveIgnored}): members not silent, and not old pairs. */
const NOT_SILENT = [undefined, undefined, 0, 0];
/** Times the node moves an offer left unanswered on, before its page announces it again. */
const MOVES = 3;
/** Times a newcomer is looked at again for offers that were not yet taken as ignored. */
const UNPARK_RETRIES = 3;

/** Why an offer or answer was not relayed, for the client's `failure reason`. */
export interface RelayRefusal {
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * Relays the offers of an announce, each to one other member of the swarm picked at random
 * ({@link pickTargets}: in a small swarm, only members likely to answer) — a local peer (sent on
 * its socket at once) or a member on another node (an addressed room message) — skipping offers
 * already placed (the same offer announced again, here or through another node) unless their
 * target left them unanswered ({@link ignored}): those go to another. Offers beyond the members
 * available are kept for members that come next ({@link park}); bittorrent-tracker drops them. In
 * a small swarm, offers placed are kept too, and moved on if left unanswered ({@link moveIgnored}).
 */
export function relayOffers(
  tracker: Tracker,
  peer: SwarmPeer,
  offers: readonly TrackerOffer[],
): RelayRefusal | undefined {
  const { swarm, connection } = peer;
  const now = tracker.now();
  // Placed already, and answered or still waiting where it may be: not placed again.
  const waiting = (offer: TrackerOffer): boolean => {
    if (!swarm.placed(peer.peerId, offer.offerId, now)) return false;
    const sent = peer.sent.get(offer.offerId);
    return sent === undefined || !ignored(sent, now);
  };
  let fresh: TrackerOffer[] = offers as TrackerOffer[];
  for (let i = 0; i < offers.length; i++) {
    if (!waiting(offers[i]!)) continue;
    // A pool announced again: copy out the offers to place.
    fresh = offers.filter((offer) => !waiting(offer));
    tracker.counters.add('offers_deduplicated', offers.length - fresh.length);
    break;
  }
  if (fresh.length === 0) return undefined;
  if (tracker.admission.overloaded())
    return { code: 'TRACKER_OVERLOADED', message: 'the node is too busy to relay offers now' };
  const scale = tracker.admission.scale();
  if (!connection.offers.take(fresh.length, now, scale))
    return { code: 'TRACKER_RATE_LIMITED', message: 'too many offers from this connection' };
  if (!connection.address.offers.take(fresh.length, now, scale)) {
    connection.offers.refund(fresh.length);
    return { code: 'TRACKER_RATE_LIMITED', message: 'too many offers from this address' };
  }
  const targets = pickTargets(peer, fresh.length, now);
  const small = swarm.census.size <= PREFERRING_MAX_MEMBERS;
  let relayed = 0;
  const kept: TrackerId[] = [];
  for (let i = 0; i < targets.length; i++) {
    const offer = fresh[i]!;
    const where = placeOffer(tracker, peer, targets[i]!, offer.offerId, offer.sdp, now);
    if (where === undefined) continue;
    tracker.counters.add(where === 'local' ? 'offers_local' : 'offers_remote');
    relayed++;
    if (small && park(peer, offer, now, true)) kept.push(offer.offerId);
  }
  // Kept in case their targets leave them unanswered: then they move on.
  if (kept.length > 0) tracker.later(IGNORED_MS, () => moveIgnored(tracker, peer, kept, MOVES));
  let parked = 0;
  for (let i = targets.length; i < fresh.length; i++)
    if (park(peer, fresh[i]!, now, false)) parked++;
  const unused = fresh.length - relayed - parked;
  if (parked > 0) tracker.counters.add('offers_parked', parked);
  if (unused > 0) {
    tracker.counters.add('offers_untargeted', unused);
    connection.offers.refund(unused);
    connection.address.offers.refund(unused);
  }
  return undefined;
}

/**
 * Up to `count` offer targets for `peer`, picked at random among the swarm's members it may
 * offer to: not itself (nor its copies on other nodes), not a seeder when it seeds, no peer
 * whose connection closed. In a swarm of at most {@link PREFERRING_MAX_MEMBERS} members (a
 * Trystero room, where every page connects to every other) it offers only to members it has
 * neither paired with (or only long ago: {@link PAIR_HOLD_MS}) nor placed an offer with lately
 * (another offer there is ignored: Trystero drops offers from a peer it is connected to or
 * answering) and that have a larger peer_id: Trystero answers an offer from a smaller peer_id
 * only while it has no offers of its own out, and every page has after its first announce; the
 * smaller one pairs with it through its own offers. Members known to answer
 * (`Swarm.responsive`) come first; members that left an offer unanswered {@link IGNORED_MS} and
 * have answered none since (`Swarm.unanswered`, or told by their node) after the others; old
 * pairs last. Offers left over are parked for members that come next, or that are
 * identified (a member on another node whose peer_id is not known yet). `caps` bounds the offers
 * per tier.
 * Bigger swarms (WebTorrent's) keep the plain rule: the preference would send most offers to the
 * largest peer_ids.
 */
function pickTargets(
  peer: SwarmPeer,
  count: number,
  now: number,
  caps: ReadonlyArray<number | undefined> = OLD_PAIR_CAPS,
): PeerId[] {
  const { swarm } = peer;
  const census = swarm.census;
  const self = peer.member.peerId;
  const eligible = (member: PeerId): boolean => {
    if (member === self || census.peerOf(member) === peer.peerId) return false;
    if (peer.seed && census.seeds(member)) return false;
    const local = swarm.byMember.get(member);
    return local === undefined || !local.connection.closed;
  };
  if (census.size > PREFERRING_MAX_MEMBERS) return census.pick(count, eligible);
  const recent = new Set<PeerId>();
  for (const sent of peer.sent.values()) if (now - sent.at < PLACED_MS) recent.add(sent.target);
  const paired = peer.pairedWith;
  const tier = (member: PeerId): number | undefined => {
    if (!eligible(member) || recent.has(member)) return undefined;
    const other = census.peerOf(member);
    if (other === undefined || other <= peer.peerId) return undefined;
    const pairedAt = paired?.get(member);
    if (pairedAt !== undefined) return now - pairedAt >= PAIR_HOLD_MS ? OLD_PAIR : undefined;
    const since = swarm.unanswered.get(member);
    if (since !== undefined && now - since >= IGNORED_MS) return SILENT;
    return swarm.responsive.has(member) ? RESPONSIVE : UNKNOWN;
  };
  // Every member looked at (a small swarm): a sampled pick could miss the one it may offer to.
  // Members known to answer first; members that left an offer unanswered (stuck, hostile, or
  // connected through another tracker) after those not known either way; old pairs (most of them
  // connected: an offer there is ignored) last, one offer at most.
  return census.pickByTier(count, tier, caps);
}

/**
 * Keeps an offer for members that join soon, here or on other nodes ({@link unparkOffers}): one
 * that found no target, or, in a small swarm, one just placed (`placed`), in case its target
 * leaves it unanswered — those in half of the park's room at most, so offers that found no target
 * always have the other half. A peer that is first in its swarm on this node announces before the mesh has told this
 * node about the swarm's members elsewhere (the room opens with that announce), and two pages
 * joining at the same moment on two nodes see nobody; a page whose offers found no one it could
 * pair with (the largest peer_id, or paired with everyone) would otherwise be met by the next
 * page only at its next announce.
 */
function park(peer: SwarmPeer, offer: TrackerOffer, now: number, placed: boolean): boolean {
  const entry = { peer, offerId: offer.offerId, sdp: offer.sdp, until: now + PARK_MS, placed };
  const max = placed ? MAX_PARKED / 2 : MAX_PARKED;
  return peer.swarm.parked.keep(peer.peerId + offer.offerId, entry, max);
}

/**
 * Member `member` joined the swarm here, or was identified on another node: offers of local
 * peers whose peer_id is smaller than its own go to it, one offer per peer — an offer parked for
 * want of a target, or one its target left unanswered ({@link ignored}), which then goes to the
 * newcomer instead (its first target's answer would be refused). Trystero answers only the
 * smaller peer_id's offer when both sides have offers out (its glare rule), so that is the
 * direction that pairs, and a page that joins a room later would otherwise meet the smaller pages
 * already there only at their next announce (up to the tracker's interval, 120 s); of two peers
 * that both parked offers (they announced at the same moment on two nodes), only the smaller
 * sends, so they pair once, not twice. A peer that already paired or placed an offer with the
 * member sends none; a seeder's go only to a member that does not seed. A peer whose offers may
 * all still be answered where they went is looked at again once they may not
 * ({@link UNPARK_RETRIES} times).
 */
export function unparkOffers(
  tracker: Tracker,
  swarm: Swarm,
  member: PeerId,
  retries = UNPARK_RETRIES,
): void {
  const local = swarm.byMember.get(member);
  const peerId = local?.peerId ?? swarm.census.peerOf(member);
  if (peerId === undefined || local?.connection.closed === true) return;
  const now = tracker.now();
  const served = new Set<SwarmPeer>();
  // A peer whose only offers may still be answered where they went is asked again when they may
  // not (a newcomer right after a page's first offers went to the larger pages there).
  let retryInMs = Infinity;
  for (const [key, parked] of swarm.parked.entries()) {
    const { peer } = parked;
    if (parked.until <= now || peer.left) {
      swarm.parked.drop(key);
      continue;
    }
    if (served.has(peer) || peer.peerId >= peerId) continue;
    if (peer.seed && swarm.census.seeds(member)) continue;
    if (peer.pairedWith?.has(member) === true || placedWith(peer, member, now)) {
      served.add(peer);
      continue;
    }
    if (parked.placed) {
      const sent = peer.sent.get(parked.offerId);
      if (sent === undefined || sent.answered) {
        swarm.parked.drop(key);
        continue;
      }
      if (!ignored(sent, now) && !placedWithSilent(swarm, sent)) {
        retryInMs = Math.min(retryInMs, sent.at + IGNORED_MS - now);
        continue;
      }
    }
    served.add(peer);
    if (placeOffer(tracker, peer, member, parked.offerId, parked.sdp, now) === undefined) return;
    swarm.parked.drop(key);
    tracker.counters.add('offers_unparked');
  }
  if (retryInMs !== Infinity && retries > 0)
    tracker.later(retryInMs, () => unparkOffers(tracker, swarm, member, retries - 1));
}

/**
 * Offers `offerIds` of `peer` (kept in its small swarm's park) that are still unanswered
 * {@link IGNORED_MS} after they were placed move on to another member it may pair with
 * ({@link pickTargets}) that is not silent and was not offered to lately, without waiting for
 * the page to announce them again (Trystero does every 15–120 s, the tracker's interval). A
 * member that never answers (stuck, or a hostile socket with a large peer_id) would otherwise
 * hold each offer that reached it for a whole interval. Offers with no such member now stay kept
 * for newcomers; those moved are looked at again, `moves` times in all.
 */
function moveIgnored(tracker: Tracker, peer: SwarmPeer, offerIds: TrackerId[], moves: number) {
  const { swarm } = peer;
  if (peer.left || peer.connection.closed || swarm.census.size > PREFERRING_MAX_MEMBERS) return;
  const now = tracker.now();
  const stale: ParkedOffer[] = [];
  for (const offerId of offerIds) {
    const sent = peer.sent.get(offerId);
    const kept = swarm.parked.get(peer.peerId + offerId);
    if (sent !== undefined && ignored(sent, now) && kept !== undefined) stale.push(kept);
  }
  if (stale.length === 0) return;
  const targets = pickTargets(peer, stale.length, now, NOT_SILENT);
  const moved: TrackerId[] = [];
  for (let i = 0; i < targets.length; i++) {
    const { offerId, sdp } = stale[i]!;
    if (placeOffer(tracker, peer, targets[i]!, offerId, sdp, now) === undefined) continue;
    tracker.counters.add('offers_moved');
    moved.push(offerId);
  }
  if (moved.length > 0 && moves > 1)
    tracker.later(IGNORED_MS, () => moveIgnored(tracker, peer, moved, moves - 1));
}

/**
 * Places offer `offerId` of `peer` with member `target`: on its socket when it is local, through
 * the mesh otherwise (undefined when the mesh budget refuses it). Remembered as the peer's
 * outstanding offer with that member (only its answer is taken) and, in a small swarm, as an offer
 * the member has not answered yet (`Swarm.unanswered`).
 */
export function placeOffer(
  tracker: Tracker,
  peer: SwarmPeer,
  target: PeerId,
  offerId: TrackerId,
  sdp: string,
  now: number,
): 'local' | 'remote' | undefined {
  const { swarm } = peer;
  const local = swarm.byMember.get(target);
  if (local !== undefined)
    deliverOffer(tracker, local, peer.peerId, peer.member.peerId, offerId, sdp, now);
  else if (!tracker.federation.offer(peer, target, offerId, sdp)) return undefined;
  remember(peer.sent, offerId, { target, at: now, answered: false });
  if (swarm.census.size <= PREFERRING_MAX_MEMBERS) swarm.offeredTo(target, now);
  return local === undefined ? 'remote' : 'local';
}

/**
 * Local peer `peer` was delivered an offer at `since` and has answered none since then: the
 * other nodes of its swarm are told it is silent, so their peers offer to it after the members
 * that answer (it may be stuck, or a hostile socket taking offers with a large peer_id). A node
 * speaks for its own members only: the mesh takes a member's messages from its owner node alone.
 */
function tellSilent(tracker: Tracker, peer: SwarmPeer, since: number): void {
  const { swarm } = peer;
  if (peer.left || peer.toldSilent || swarm.unanswered.get(peer.member.peerId) !== since) return;
  if (swarm.census.size <= swarm.local.size) return; // no member elsewhere to tell
  if (tracker.federation.silence(peer, true)) peer.toldSilent = true;
}

/**
 * True when a placed offer went to a member that had left an offer unanswered
 * {@link IGNORED_MS} already (placed there for want of a better target): a newcomer that may
 * pair with its offerer gets it at once, not once it too is left unanswered.
 */
function placedWithSilent(swarm: Swarm, sent: SentOffer): boolean {
  const since = swarm.unanswered.get(sent.target);
  return since !== undefined && sent.at - since >= IGNORED_MS;
}

/** True when a placed offer has had {@link IGNORED_MS} to be answered, and was not. */
function ignored(sent: SentOffer, now: number): boolean {
  return !sent.answered && now - sent.at >= IGNORED_MS;
}

/** True when `peer` placed an offer with `member` less than {@link PLACED_MS} ago. */
function placedWith(peer: SwarmPeer, member: PeerId, now: number): boolean {
  for (const sent of peer.sent.values())
    if (sent.target === member && now - sent.at < PLACED_MS) return true;
  return false;
}

/** Sends an offer to a local peer and remembers where it came from, for the answer. */
export function deliverOffer(
  tracker: Tracker,
  target: SwarmPeer,
  offerer: TrackerId,
  origin: PeerId,
  offerId: TrackerId,
  sdp: string,
  now: number,
): void {
  remember(target.received, offerId, { offerer, origin, at: now });
  const swarm = target.swarm;
  if (swarm.census.size <= PREFERRING_MAX_MEMBERS && swarm.offeredTo(target.member.peerId, now))
    tracker.later(IGNORED_MS, () => tellSilent(tracker, target, now));
  target.connection.send({
    action: 'announce',
    info_hash: target.swarm.infoHash,
    peer_id: offerer,
    offer_id: offerId,
    offer: { type: 'offer', sdp },
  });
}
