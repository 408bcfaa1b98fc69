// What tracker dialects on different nodes tell each other about a swarm: the `data` of room
// messages in the swarm's room (`deriveRoomHash('dialect:tracker', infoHashHex)`). They come from
// other nodes, so they are parsed like any mesh frame. Tracker ids travel as 40 hex characters.
import { parsed, rejected, isRecord, type ParseResult } from './parse-result.js';

/** A relayed offer, addressed to the member that is to answer it. */
export interface TrackerSwarmOffer {
  readonly t: 'offer';
  /** The offerer's tracker peer_id (hex). */
  readonly peer: string;
  /** The offer_id (hex). */
  readonly offer: string;
  readonly sdp: string;
}

/** An answer, addressed to the member whose offer it answers. */
export interface TrackerSwarmAnswer {
  readonly t: 'answer';
  /** The answerer's tracker peer_id (hex). */
  readonly peer: string;
  readonly offer: string;
  readonly sdp: string;
}

/**
 * Who a member is: its tracker peer_id and whether it seeds. Broadcast when a peer joins or its
 * seeding changes, and sent to a member that asked (`who`): it lets every node count the whole
 * swarm (one peer on several nodes counted once) and keep a peer's offers from its own copies.
 * In a small swarm also broadcast when the member left the offers it was sent unanswered for
 * 10 s (`silent: true`) and when it answers one again (`silent: false`): other nodes then offer
 * to it after the members that answer. Absent: not known to be silent (older nodes never send it).
 */
export interface TrackerSwarmPeer {
  readonly t: 'peer';
  readonly peer: string;
  readonly seed: boolean;
  readonly silent?: boolean;
}

/** Asks the addressed member to say who it is (a node that joined the swarm late). */
export interface TrackerSwarmWho {
  readonly t: 'who';
}

/** Every tracker swarm message between nodes. */
export type TrackerSwarmMessage =
  TrackerSwarmOffer | TrackerSwarmAnswer | TrackerSwarmPeer | TrackerSwarmWho;

const HEX40 = /^[0-9a-f]{40}$/;

/** Parses the data of a tracker swarm room message from another node. */
export function parseTrackerSwarmMessage(value: unknown): ParseResult<TrackerSwarmMessage> {
  if (!isRecord(value)) return bad('not an object');
  switch (value.t) {
    case 'offer':
    case 'answer': {
      const { t, peer, offer, sdp } = value;
      return isHex40(peer) && isHex40(offer) && typeof sdp === 'string'
        ? parsed({ t, peer, offer, sdp })
        : bad(`bad ${t}`);
    }
    case 'peer': {
      const { peer, seed, silent } = value;
      if (!isHex40(peer) || typeof seed !== 'boolean') return bad('bad peer');
      if (silent === undefined) return parsed({ t: 'peer', peer, seed });
      return typeof silent === 'boolean'
        ? parsed({ t: 'peer', peer, seed, silent })
        : bad('bad peer');
    }
    case 'who':
      return parsed({ t: 'who' });
    default:
      return bad('unknown type');
  }
}

function isHex40(value: unknown): value is string {
  return typeof value === 'string' && HEX40.test(value);
}

function bad(message: string): ParseResult<never> {
  return rejected('TRACKER_REQUEST_INVALID', `tracker swarm message: ${message}`);
}
