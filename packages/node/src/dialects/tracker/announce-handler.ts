import type { TrackerAnnounce } from '@sigmesh/protocol';
import { relayAnswer } from './answer-relay.js';
import { relayOffers, unparkOffers } from './offer-relay.js';
import type { SwarmPeer } from './swarm.js';
import type { Tracker } from './tracker.js';
import type { TrackerConnection } from './tracker-connection.js';

/**
 * An announce: rate-limited per connection and per address, then the peer's swarm membership
 * (join, leave on `stopped`, seeding), its answer and its offers relayed, and a reply with the
 * swarm's counts and interval — sent for every announce, answers included, as aquatic does.
 */
export function handleAnnounce(
  tracker: Tracker,
  connection: TrackerConnection,
  request: TrackerAnnounce,
): void {
  const now = tracker.now();
  const scale = tracker.admission.scale();
  if (!connection.announces.take(1, now, scale)) {
    connection.refuse(
      'announce',
      request.infoHash,
      'TRACKER_RATE_LIMITED',
      'too many announces from this connection',
    );
    return;
  }
  if (!connection.address.announces.take(1, now, scale)) {
    connection.announces.refund(1);
    connection.refuse(
      'announce',
      request.infoHash,
      'TRACKER_RATE_LIMITED',
      'too many announces from this address',
    );
    return;
  }
  tracker.counters.add('announces');
  announceAdmitted(tracker, connection, request);
}

function announceAdmitted(
  tracker: Tracker,
  connection: TrackerConnection,
  request: TrackerAnnounce,
): void {
  const { infoHash } = request;
  let peer = connection.peers.get(infoHash);
  if (peer !== undefined && peer.peerId !== request.peerId) {
    connection.refuse(
      'announce',
      infoHash,
      'TRACKER_PEER_ID_CHANGED',
      'Only one peer id can be used per torrent',
    );
    return;
  }
  if (request.event === 'stopped') {
    if (peer !== undefined) {
      tracker.leave(peer);
      tracker.counters.add('peers_stopped');
    }
    connection.send({
      action: 'announce',
      info_hash: infoHash,
      ...tracker.reply(tracker.swarms.get(infoHash), undefined),
    });
    return;
  }
  const seed = request.event === 'completed' || request.left === 0;
  const joining = peer === undefined;
  if (peer === undefined) {
    const holder = tracker.swarms.get(infoHash)?.local.get(request.peerId);
    if (holder !== undefined) {
      if (
        !holder.connection.closed &&
        holder.connection.socket.readyState === holder.connection.socket.OPEN
      ) {
        takeOver(tracker, connection, holder, request);
        return;
      }
      tracker.leave(holder);
    }
    const joined = tracker.join(connection, infoHash, request.peerId, seed);
    if (!('member' in joined)) {
      connection.refuse('announce', infoHash, joined.code, joined.message);
      return;
    }
    peer = joined;
  } else {
    const seeding = seed || (request.left === undefined && peer.seed);
    tracker.setSeed(peer, seeding);
  }
  peer.lastAnnounce = tracker.now();
  if (request.answer !== undefined) {
    const refusal = relayAnswer(tracker, peer, request.answer);
    if (refusal !== undefined)
      connection.refuse('announce', infoHash, refusal.code, refusal.message);
  }
  if (request.offers.length > 0) {
    const refusal = relayOffers(tracker, peer, request.offers);
    if (refusal !== undefined) {
      connection.refuse('announce', infoHash, refusal.code, refusal.message);
      return;
    }
  }
  connection.send({ action: 'announce', info_hash: infoHash, ...tracker.reply(peer.swarm, peer) });
  // Offers parked here before it came (a peer alone on this node) may be for it.
  if (joining && peer.swarm.parked.size > 0) unparkOffers(tracker, peer.swarm, peer.member.peerId);
}

/**
 * Another connection holds this peer_id in this swarm. aquatic ignores such requests, which
 * locks out a page whose WebSocket reconnected (Trystero keeps its peer_id) while the old socket
 * lingers half-open. Instead the old socket is pinged: if it answers within
 * `--tracker-takeover-wait-ms` the request is refused (the peer_id is in use); if not, the old
 * connection is dead, is closed, and this one takes the peer_id. Requests arriving meanwhile
 * wait their turn.
 */
function takeOver(
  tracker: Tracker,
  connection: TrackerConnection,
  holder: SwarmPeer,
  request: TrackerAnnounce,
): void {
  const old = holder.connection;
  const pinged = tracker.now();
  connection.hold();
  let decided = false;
  const decide = (alive: boolean): void => {
    if (decided) return;
    decided = true;
    old.socket.off('pong', onPong);
    if (connection.closed) return;
    if (alive && !old.closed) {
      connection.refuse(
        'announce',
        request.infoHash,
        'TRACKER_PEER_ID_TAKEN',
        'this peer id is in use by another connection',
      );
    } else {
      if (!old.closed) old.close(1000, 'peer id taken over', true);
      tracker.counters.add('peers_taken_over');
      announceAdmitted(tracker, connection, request);
    }
    connection.release();
  };
  const onPong = (): void => decide(true);
  old.socket.on('pong', onPong);
  try {
    old.socket.ping();
  } catch {
    decide(false);
    return;
  }
  tracker.later(tracker.config.trackerTakeoverWaitMs, () => decide(old.lastHeard > pinged));
}
