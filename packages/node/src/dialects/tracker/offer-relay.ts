import {
  type ErrorCode,
  type PeerId,
  type TrackerAnswer,
  type TrackerId,
  type TrackerOffer,
} from '@sigmesh/protocol';
import { PLACED_MS, remember, type Swarm, type SwarmPeer } from './swarm.js';
import type { Tracker } from './tracker.js';

/** How long an offer that found no target waits for a member to join here or on another node. */
export const PARK_MS = 30_000;
/** Offers parked per swarm. */
const MAX_PARKED = 64;

/** Why an offer or answer was not relayed, for the client's `failure reason`. */
export interface RelayRefusal {
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * Relays the offers of an announce, each to one other member of the swarm picked at random — a
 * local peer (sent on its socket at once) or a member on another node (an addressed room
 * message) — skipping offers already placed (the same offer announced again, here or through
 * another node). A seeder's offers go only to peers that do not seed; a peer's offers never go
 * to its own copies on other nodes (the same peer_id). Offers beyond the members available are
 * not relayed (as in bittorrent-tracker).
 */
export function relayOffers(
  tracker: Tracker,
  peer: SwarmPeer,
  offers: readonly TrackerOffer[],
): RelayRefusal | undefined {
  const { swarm, connection } = peer;
  const now = tracker.now();
  let fresh: TrackerOffer[] = offers as TrackerOffer[];
  for (let i = 0; i < offers.length; i++) {
    if (!swarm.placed(peer.peerId, offers[i]!.offerId, now)) continue;
    // Rare (a pool announced again): copy out the offers not placed yet.
    fresh = offers.filter((offer) => !swarm.placed(peer.peerId, offer.offerId, now));
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
  const census = swarm.census;
  const self = peer.member.peerId;
  const targets = census.pick(fresh.length, (member) => {
    if (member === self || census.peerOf(member) === peer.peerId) return false;
    if (peer.seed && census.seeds(member)) return false;
    const local = swarm.byMember.get(member);
    return local === undefined || !local.connection.closed;
  });
  let relayed = 0;
  for (let i = 0; i < targets.length; i++) {
    const target = targets[i]!;
    const offer = fresh[i]!;
    const local = swarm.byMember.get(target);
    if (local !== undefined) {
      deliverOffer(tracker, local, peer.peerId, self, offer.offerId, offer.sdp, now);
      tracker.counters.add('offers_local');
    } else if (tracker.federation.offer(peer, target, offer.offerId, offer.sdp)) {
      tracker.counters.add('offers_remote');
    } else continue;
    remember(peer.sent, offer.offerId, { target, at: now, answered: false });
    relayed++;
  }
  let parked = 0;
  for (let i = targets.length; i < fresh.length; i++) if (park(peer, fresh[i]!, now)) parked++;
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
 * Keeps an offer that found no target for members that join soon, here or on other nodes. A peer
 * that is first in its swarm on this node announces before the mesh has told this node about the
 * swarm's members elsewhere (the room opens with that announce), and two pages joining at the
 * same moment on two nodes see nobody; a page that joins after the first one's last quick
 * announce gets offers, but Trystero may ignore them (its glare rule, {@link unparkOffers}).
 * Without this they would meet only at the next announce.
 */
function park(peer: SwarmPeer, offer: TrackerOffer, now: number): boolean {
  const parked = peer.swarm.parked;
  const key = peer.peerId + offer.offerId;
  if (!parked.has(key) && parked.size >= MAX_PARKED) return false;
  parked.set(key, { peer, offerId: offer.offerId, sdp: offer.sdp, until: now + PARK_MS });
  return true;
}

/**
 * Member `member` joined the swarm here, or was identified on another node: parked offers of
 * local peers whose peer_id is smaller than its own go to it, one offer per peer. Trystero
 * answers only the smaller peer_id's offer when both sides have offers out (its glare rule), so
 * that is the direction that pairs; of two peers that both parked offers (they announced at the
 * same moment on two nodes), only the smaller sends, so they pair once, not twice. A peer that
 * already placed an offer with the member sends none; a seeder's go only to a member that does
 * not seed.
 */
export function unparkOffers(tracker: Tracker, swarm: Swarm, member: PeerId): void {
  const local = swarm.byMember.get(member);
  const peerId = local?.peerId ?? swarm.census.peerOf(member);
  if (peerId === undefined || local?.connection.closed === true) return;
  const now = tracker.now();
  const served = new Set<SwarmPeer>();
  for (const [key, parked] of swarm.parked) {
    const { peer } = parked;
    if (parked.until <= now || peer.left) {
      swarm.parked.delete(key);
      continue;
    }
    if (served.has(peer) || peer.peerId >= peerId) continue;
    if (peer.seed && swarm.census.seeds(member)) continue;
    served.add(peer);
    if (placedWith(peer, member, now)) continue;
    if (local !== undefined)
      deliverOffer(
        tracker,
        local,
        peer.peerId,
        peer.member.peerId,
        parked.offerId,
        parked.sdp,
        now,
      );
    else if (!tracker.federation.offer(peer, member, parked.offerId, parked.sdp)) return;
    swarm.parked.delete(key);
    remember(peer.sent, parked.offerId, { target: member, at: now, answered: false });
    tracker.counters.add('offers_unparked');
  }
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
  target.connection.send({
    action: 'announce',
    info_hash: target.swarm.infoHash,
    peer_id: offerer,
    offer_id: offerId,
    offer: { type: 'offer', sdp },
  });
}

/**
 * Relays an answer back to the member whose offer it answers — only for an offer this peer was
 * sent and that has not expired (aquatic's rule). The offering node checks again that it sent
 * that offer to this member (its own outstanding offers), so the rule holds across two nodes.
 */
export function relayAnswer(
  tracker: Tracker,
  peer: SwarmPeer,
  answer: TrackerAnswer,
): RelayRefusal | undefined {
  const received = peer.received.get(answer.offerId);
  const now = tracker.now();
  const notFound: RelayRefusal = {
    code: 'TRACKER_OFFER_NOT_FOUND',
    message: 'Could not find the offer corresponding to your answer. It may have expired.',
  };
  if (
    received === undefined ||
    received.offerer !== answer.toPeerId ||
    now - received.at > tracker.offerTimeoutMs
  )
    return notFound;
  peer.received.delete(answer.offerId);
  const offerer = peer.swarm.byMember.get(received.origin);
  if (offerer === undefined) {
    if (!tracker.federation.answer(peer, received.origin, answer.offerId, answer.sdp))
      return { code: 'TRACKER_MESSAGE_TOO_LARGE', message: 'the answer is too large to relay' };
    tracker.counters.add('answers_remote');
    peer.paired = true;
    return undefined;
  }
  if (!forwardAnswer(tracker, offerer, peer.member.peerId, peer.peerId, answer.offerId, answer.sdp))
    return notFound;
  tracker.counters.add('answers_local');
  peer.paired = true;
  return undefined;
}

/**
 * Gives `offerer` an answer from member `from` if `offerer` sent that member that offer and it
 * has not expired; the offer is then spent (one answer per offer).
 */
export function forwardAnswer(
  tracker: Tracker,
  offerer: SwarmPeer,
  from: PeerId,
  answerer: TrackerId,
  offerId: TrackerId,
  sdp: string,
): boolean {
  const sent = offerer.sent.get(offerId);
  if (sent?.target !== from || sent.answered || tracker.now() - sent.at > tracker.offerTimeoutMs)
    return false;
  // Spent (one answer per offer), but still remembered as placed.
  sent.answered = true;
  offerer.paired = true;
  offerer.connection.send({
    action: 'announce',
    info_hash: offerer.swarm.infoHash,
    peer_id: answerer,
    offer_id: offerId,
    answer: { type: 'answer', sdp },
  });
  return true;
}
