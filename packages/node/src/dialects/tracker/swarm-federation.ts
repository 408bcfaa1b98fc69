import { createHash } from 'node:crypto';
import {
  trackerIdToHex,
  type PeerId,
  type TrackerId,
  type TrackerSwarmMessage,
  type TrackerSwarmPeer,
} from '@sigmesh/protocol';
import type { RoomRegistry } from '../../rooms/room-registry.js';
import type { RateBucket } from './rate-bucket.js';
import type { SwarmPeer } from './swarm.js';
import type { TrackerCounters } from './tracker-counters.js';

/** Room-frame overhead besides the data (ids, room hash, hop count), with room to spare. */
const FRAME_OVERHEAD_BYTES = 1024;

/**
 * The tracker's messages to other nodes, as room messages of the swarm's room from the member of
 * the local peer they concern: offers and answers addressed to one member (the mesh routes them
 * to that member's owner node only), peer identities broadcast or answered, identity queries.
 *
 * Every message sent counts against a node-wide budget (`--tracker-mesh-messages-per-second`),
 * so that no amount of tracker traffic takes this node past other nodes' allowance for its
 * members (`--mesh-owner-messages-per-second`), which they would hold against its reputation.
 * A message that would not fit in one mesh frame is not sent.
 */
export class SwarmFederation {
  constructor(
    private readonly rooms: RoomRegistry,
    private readonly budget: RateBucket,
    private readonly now: () => number,
    private readonly maxFrameBytes: number,
    private readonly counters: TrackerCounters,
  ) {}

  /**
   * An offer of `peer` for the member `target` on another node. Its id is derived from the swarm,
   * offerer, offer and target, so the same offer placed with the same member through several
   * nodes (a client announcing to each) is one message mesh-wide. False when over budget or too
   * large for a mesh frame.
   */
  offer(peer: SwarmPeer, target: PeerId, offerId: TrackerId, sdp: string): boolean {
    if (!this.#fits(sdp)) {
      this.counters.add('offers_too_large_for_mesh');
      return false;
    }
    if (!this.#spend()) return false;
    const peerHex = trackerIdToHex(peer.peerId);
    const offerHex = trackerIdToHex(offerId);
    const id = createHash('sha256')
      .update(`sigmesh-tracker-offer\0${peer.swarm.hex}\0${peerHex}\0${offerHex}\0${target}`)
      .digest('hex')
      .slice(0, 32);
    this.#publish(peer, { t: 'offer', peer: peerHex, offer: offerHex, sdp }, target, id);
    return true;
  }

  /**
   * An answer of `peer` for the member `origin` that offered. Answers complete a pairing the
   * budget already paid for (its offer), so they go even when the budget is spent. False only
   * when too large for a mesh frame.
   */
  answer(peer: SwarmPeer, origin: PeerId, offerId: TrackerId, sdp: string): boolean {
    if (!this.#fits(sdp)) return false;
    this.#spend();
    const data = {
      t: 'answer',
      peer: trackerIdToHex(peer.peerId),
      offer: trackerIdToHex(offerId),
      sdp,
    } as const;
    this.#publish(peer, data, origin);
    return true;
  }

  /** Tells every node (or one member that asked) who `peer` is and whether it seeds. */
  identify(peer: SwarmPeer, to?: PeerId): void {
    if (!this.#spend() && to === undefined) return;
    this.#publish(peer, peerMessage(peer, peer.toldSilent ? true : undefined), to);
  }

  /**
   * Tells every node that `peer` leaves the offers it is sent unanswered, or that it answered
   * one again; false when over budget.
   */
  silence(peer: SwarmPeer, silent: boolean): boolean {
    if (!this.#spend()) return false;
    this.#publish(peer, peerMessage(peer, silent));
    return true;
  }

  /** Asks `member` (on another node) who it is, on behalf of local peer `asker`. */
  ask(asker: SwarmPeer, member: PeerId): boolean {
    if (!this.#spend()) return false;
    this.#publish(asker, { t: 'who' }, member);
    return true;
  }

  #fits(sdp: string): boolean {
    // UTF-8 is at most 3 bytes per UTF-16 unit and JSON escaping at most 6: check exactly only
    // when the quick bound says it may not fit.
    const limit = this.maxFrameBytes - FRAME_OVERHEAD_BYTES;
    if (sdp.length * 6 <= limit) return true;
    return Buffer.byteLength(JSON.stringify(sdp)) <= limit;
  }

  #spend(): boolean {
    if (this.budget.take(1, this.now(), 1)) return true;
    this.counters.add('mesh_budget_exhausted');
    return false;
  }

  #publish(peer: SwarmPeer, data: TrackerSwarmMessage, to?: PeerId, id?: string): void {
    const send = (): void => {
      if (peer.left) return;
      this.rooms.publish(peer.swarm.room, peer.member.peerId, data, to, id);
      this.counters.add('mesh_messages_sent');
    };
    if (peer.outbox !== undefined) peer.outbox.push(send);
    else send();
  }
}

/** Who `peer` is, for other nodes; `silent` only when there is something to say about it. */
function peerMessage(peer: SwarmPeer, silent: boolean | undefined): TrackerSwarmPeer {
  const data = { t: 'peer', peer: trackerIdToHex(peer.peerId), seed: peer.seed } as const;
  return silent === undefined ? data : { ...data, silent };
}
