import type { PeerId, TrackerAnswer, TrackerId } from '@sigmesh/protocol';
import { notePair, type SwarmPeer } from './swarm.js';
import type { Tracker } from './tracker.js';
import type { RelayRefusal } from './offer-relay.js';

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
  peer.swarm.answered(peer.member.peerId);
  if (peer.toldSilent && tracker.federation.silence(peer, false)) peer.toldSilent = false;
  const offerer = peer.swarm.byMember.get(received.origin);
  if (offerer === undefined) {
    if (!tracker.federation.answer(peer, received.origin, answer.offerId, answer.sdp))
      return { code: 'TRACKER_MESSAGE_TOO_LARGE', message: 'the answer is too large to relay' };
    tracker.counters.add('answers_remote');
    notePair(peer, received.origin, now);
    return undefined;
  }
  if (!forwardAnswer(tracker, offerer, peer.member.peerId, peer.peerId, answer.offerId, answer.sdp))
    return notFound;
  tracker.counters.add('answers_local');
  notePair(peer, received.origin, now);
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
  offerer.swarm.answered(from);
  offerer.swarm.parked.drop(offerer.peerId + offerId);
  notePair(offerer, from, tracker.now());
  offerer.connection.send({
    action: 'announce',
    info_hash: offerer.swarm.infoHash,
    peer_id: answerer,
    offer_id: offerId,
    answer: { type: 'answer', sdp },
  });
  return true;
}
