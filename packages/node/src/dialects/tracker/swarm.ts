import type { PeerId, RoomHash, TrackerId } from '@sigmesh/protocol';
import type { Member } from '../../rooms/member.js';
import { SwarmCensus } from './swarm-census.js';
import type { TrackerConnection } from './tracker-connection.js';

/** An offer a peer made, relayed to one member (aquatic's outstanding offer). */
export interface SentOffer {
  /** The member the offer went to: only its answer is forwarded. */
  readonly target: PeerId;
  readonly at: number;
}

/** An offer delivered to a peer, remembered so its answer can go back to where it came from. */
export interface ReceivedOffer {
  /** The offering member, here or on another node. */
  readonly origin: PeerId;
  readonly at: number;
}

/** An offer waiting for a member to appear. */
export interface ParkedOffer {
  readonly peer: SwarmPeer;
  readonly offerId: TrackerId;
  readonly hex: string;
  readonly sdp: string;
  readonly until: number;
}

/** Entries of {@link SwarmPeer.sent} and {@link SwarmPeer.received} kept per peer (oldest dropped). */
export const MAX_OFFERS_REMEMBERED = 128;

/**
 * One tracker peer: a (connection, info_hash) pair, bound to one peer_id, and a member of the
 * swarm's room on this node.
 */
export interface SwarmPeer {
  readonly swarm: Swarm;
  readonly connection: TrackerConnection;
  readonly peerId: TrackerId;
  readonly peerHex: string;
  readonly member: Member;
  seed: boolean;
  lastAnnounce: number;
  /** Offers this peer made, by offer_id (hex). */
  readonly sent: Map<string, SentOffer>;
  /** Offers delivered to this peer, by offerer peer_id hex + offer_id hex. */
  readonly received: Map<string, ReceivedOffer>;
  /**
   * Room messages to other nodes waiting for this member's join to reach them: the mesh sends
   * presence at the end of the turn and messages at once, and a message from a member the other
   * node does not know yet is refused there. Undefined once the join is out.
   */
  outbox: Array<() => void> | undefined;
  left: boolean;
}

/** One swarm (info hash) with local peers: its room, and what this node knows of its members. */
export class Swarm {
  readonly census = new SwarmCensus();
  /** Local peers by tracker peer_id (hex): a peer_id is bound to one connection per swarm. */
  readonly local = new Map<string, SwarmPeer>();
  /** Local peers by member id. */
  readonly byMember = new Map<PeerId, SwarmPeer>();
  /**
   * Offers already placed with a target, by offerer peer_id hex + offer_id hex → until when:
   * the same offer announced again (Trystero re-sends its pool every 10–20 s, to every tracker
   * it uses) is not relayed to a second peer, which could not complete it.
   */
  readonly placed = new Map<string, number>();
  /** Members on other nodes not identified yet → when to ask them (`who`), and how often we did. */
  readonly unknown = new Map<PeerId, { due: number; attempts: number }>();
  /**
   * Offers that found no target when announced, by offerer peer_id hex + offer_id hex, kept for
   * members that appear on other nodes shortly after (see offer-relay.ts `parkOffer`).
   */
  readonly parked = new Map<string, ParkedOffer>();
  /** The last broadcast handled: one is delivered to every local member, but handled once. */
  lastBroadcast: unknown;

  constructor(
    readonly infoHash: TrackerId,
    readonly hex: string,
    readonly room: RoomHash,
  ) {}
}

/** Remembers an offer in a per-peer map, dropping the oldest past {@link MAX_OFFERS_REMEMBERED}. */
export function remember<T>(map: Map<string, T>, key: string, value: T): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_OFFERS_REMEMBERED) map.delete(map.keys().next().value!);
}
