/**
 * Reading and vetting XOR-PEER-ADDRESS for CreatePermission, ChannelBind and Send (RFC 8656
 * §9.2, §11.2, §12.2): decodes, rejects a family other than the relay's (443) and applies the
 * peer policy (403 Forbidden for special-purpose ranges, RFC 8656 §21.2.3).
 */
import type { Decoded } from '../attributes/attribute-codec.js';
import type { Allocation } from '../allocation.js';
import type { TransportAddress } from '../ip-address.js';
import type { TurnContext } from '../turn-context.js';

/** Why a peer address was refused; maps onto a STUN error for requests. */
export type PeerRefusal =
  | { readonly stun: 400; readonly code: 'TURN_MALFORMED'; readonly detail: string }
  | { readonly stun: 443; readonly code: 'TURN_UNSUPPORTED'; readonly detail: string }
  | { readonly stun: 403; readonly code: 'TURN_PEER_FORBIDDEN'; readonly detail: string };

/** The peer address, or why it cannot be used from this allocation. */
export function vetPeerAddress(
  context: TurnContext,
  allocation: Allocation,
  decoded: Decoded<TransportAddress>,
): { ok: true; peer: TransportAddress } | { ok: false; refusal: PeerRefusal } {
  if (!decoded.ok)
    return { ok: false, refusal: { stun: 400, code: 'TURN_MALFORMED', detail: decoded.reason } };
  const peer = decoded.value;
  if (peer.family !== allocation.relayed.family) {
    return {
      ok: false,
      refusal: {
        stun: 443,
        code: 'TURN_UNSUPPORTED',
        detail: `IPv${peer.family} peer on an IPv${allocation.relayed.family} relay`,
      },
    };
  }
  if (context.policy.check(peer.address) !== 'allowed') {
    return {
      ok: false,
      refusal: {
        stun: 403,
        code: 'TURN_PEER_FORBIDDEN',
        detail: `peer ${peer.address} is not relayable`,
      },
    };
  }
  return { ok: true, peer };
}
