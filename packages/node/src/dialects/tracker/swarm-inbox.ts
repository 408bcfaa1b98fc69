import {
  parseTrackerSwarmMessage,
  trackerIdFromHex,
  type PeerId,
  type PresenceEvent,
  type TrackerId,
  type TrackerSwarmMessage,
} from '@sigmesh/protocol';
import type { RoomMessage } from '../../rooms/room-observer.js';
import { forwardAnswer } from './answer-relay.js';
import { deliverOffer, IGNORED_MS, unparkOffers } from './offer-relay.js';
import { PLACED_MS, PREFERRING_MAX_MEMBERS, type Swarm, type SwarmPeer } from './swarm.js';
import type { Tracker } from './tracker.js';

/** Delay before asking an unidentified member who it is (its first offer usually says first). */
export const WHO_DELAY_MS = 1_000;
/** Delay between two questions to a member that did not answer. */
export const WHO_RETRY_MS = 5_000;

type Handler<M extends TrackerSwarmMessage> = (
  tracker: Tracker,
  peer: SwarmPeer,
  from: PeerId,
  message: M,
) => void;

/** One handler per swarm message type, checked by the compiler. */
const handlers: {
  [T in TrackerSwarmMessage['t']]: Handler<Extract<TrackerSwarmMessage, { t: T }>>;
} = {
  offer(tracker, peer, from, message) {
    const swarm = peer.swarm;
    // Hex on the mesh, checked by the parser; the wire's 20-character ids here.
    const offerer = trackerIdFromHex(message.peer)!;
    const offerId = trackerIdFromHex(message.offer)!;
    identify(tracker, swarm, from, offerer, undefined);
    const now = tracker.now();
    // The same offer placed here through another node, or announced here directly as well; not
    // the same offer moved on by the node that placed it here (left unanswered).
    if (offerer === peer.peerId || swarm.placed(offerer, offerId, now, from)) {
      tracker.counters.add('offers_deduplicated');
      return;
    }
    const key = offerer + offerId;
    swarm.remotePlaced.delete(key); // re-inserted last: the map stays in expiry order
    swarm.remotePlaced.set(key, { until: now + PLACED_MS, from });
    deliverOffer(tracker, peer, offerer, from, offerId, message.sdp, now);
    tracker.counters.add('remote_offers_in');
  },
  answer(tracker, peer, from, { peer: answerer, offer, sdp }) {
    const answererId = trackerIdFromHex(answerer)!;
    identify(tracker, peer.swarm, from, answererId, undefined);
    if (forwardAnswer(tracker, peer, from, answererId, trackerIdFromHex(offer)!, sdp))
      tracker.counters.add('remote_answers_in');
    else tracker.counters.add('remote_answers_refused');
  },
  peer(tracker, peer, from, { peer: id, seed, silent }) {
    const swarm = peer.swarm;
    identify(tracker, swarm, from, trackerIdFromHex(id)!, seed);
    if (silent === undefined || !swarm.census.has(from) || swarm.byMember.has(from)) return;
    // Its node says it leaves offers unanswered (taken as left unanswered from IGNORED_MS ago),
    // or that it answered one again.
    if (!silent) swarm.answered(from);
    else if (swarm.census.size <= PREFERRING_MAX_MEMBERS)
      swarm.unanswered.set(
        from,
        Math.min(swarm.unanswered.get(from) ?? Infinity, tracker.now() - IGNORED_MS),
      );
  },
  who(tracker, peer, from) {
    tracker.federation.identify(peer, from);
  },
};

/**
 * A room message reached local peer `peer` from another node. A broadcast reaches every local
 * member of the room and is handled once; messages from local members are ignored (local peers
 * are served directly, never through the room).
 */
export function swarmMessage(tracker: Tracker, peer: SwarmPeer, message: RoomMessage): void {
  const swarm = peer.swarm;
  if (peer.left || swarm.byMember.has(message.from)) return;
  if (message.to === undefined) {
    if (swarm.lastBroadcast === message) return;
    swarm.lastBroadcast = message;
  }
  const parsed = parseTrackerSwarmMessage(message.data);
  if (!parsed.ok) {
    tracker.counters.add('remote_messages_invalid');
    return;
  }
  const value = parsed.value;
  (handlers[value.t] as Handler<TrackerSwarmMessage>)(tracker, peer, message.from, value);
}

/**
 * The swarm's membership changed (on any node). Every local member is told, each from its own
 * cursor, so this is idempotent: members on other nodes enter the census unidentified (to be
 * asked who they are) and leave it when they leave.
 */
export function swarmPresence(tracker: Tracker, swarm: Swarm, change: PresenceEvent): void {
  const census = swarm.census;
  const now = tracker.now();
  const arrivals: PeerId[] = [];
  // Parked offers wait for an arrival's peer_id (unparkOffers): then it is asked at once.
  const askAfter = swarm.parked.size > 0 ? 0 : WHO_DELAY_MS;
  const arrive = (member: PeerId): void => {
    if (swarm.byMember.has(member) || census.has(member)) return;
    census.set(member, undefined, false);
    arrivals.push(member);
    swarm.unknown.set(member, { due: now + askAfter, attempts: 0 });
    tracker.unidentified.add(swarm);
  };
  const depart = (member: PeerId): void => {
    if (swarm.byMember.has(member)) return;
    census.delete(member);
    swarm.unknown.delete(member);
    swarm.forget(member);
  };
  if ('members' in change) {
    const present = new Set(change.members);
    for (const member of census.members()) if (!present.has(member)) depart(member);
    for (const member of change.members) arrive(member);
  } else {
    for (const member of change.leave) depart(member);
    for (const member of change.join) arrive(member);
  }
  // Asked after this turn's presence handling, never from inside it.
  if (arrivals.length > 0 && askAfter === 0)
    setImmediate(() => tracker.askDue(swarm, tracker.now()));
}

/**
 * Records who a member on another node is: its tracker peer_id (offers and answers say it), and
 * whether it seeds (only its `peer` message says that, so until then it is still asked). Once its
 * peer_id is known, parked offers of smaller peer_ids go to it.
 */
function identify(
  tracker: Tracker,
  swarm: Swarm,
  member: PeerId,
  peer: TrackerId,
  seed: boolean | undefined,
): void {
  if (swarm.byMember.has(member) || !swarm.census.has(member)) return;
  const known = swarm.census.peerOf(member) === peer;
  swarm.census.set(member, peer, seed ?? swarm.census.seeds(member));
  if (seed !== undefined) swarm.unknown.delete(member);
  // Offers are sent after this message's handling, never from inside it.
  if (!known && swarm.parked.size > 0) setImmediate(() => unparkOffers(tracker, swarm, member));
}
