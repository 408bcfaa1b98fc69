/**
 * Data from a peer to the client (RFC 8656 §11.3, §12.6): only from IPs with a permission; as
 * ChannelData when the peer has a channel (padded over TCP), else as a Data indication carrying
 * XOR-PEER-ADDRESS and DATA.
 */
import { randomFillSync } from 'node:crypto';
import { data } from '../attributes/data.js';
import { xorPeerAddress } from '../attributes/xor-peer-address.js';
import type { Allocation } from '../allocation.js';
import { encodeChannelData } from '../channel-data-frame.js';
import type { TransportAddress } from '../ip-address.js';
import { encodeStunMessage, StunMethod } from '../stun-message.js';
import type { TurnContext } from '../turn-context.js';

/** A Data indication's STUN length field is 16 bits; header and XOR-PEER-ADDRESS take the rest. */
const MAX_INDICATION_PAYLOAD = 65_535 - 4 - 20 - 4 - 3;

/** Encodes a Data indication (no MESSAGE-INTEGRITY: indications cannot be authenticated). */
export function encodeDataIndication(peer: TransportAddress, payload: Uint8Array): Uint8Array {
  const transactionId = randomFillSync(new Uint8Array(12));
  return encodeStunMessage({
    method: StunMethod.data,
    cls: 'indication',
    transactionId,
    attributes: [
      { type: xorPeerAddress.type, value: xorPeerAddress.encode(peer, transactionId) },
      { type: data.type, value: payload },
    ],
  });
}

/** Relays a datagram that arrived on the allocation's relay socket from `peer`. */
export function relayFromPeer(
  context: TurnContext,
  allocation: Allocation,
  peer: TransportAddress,
  payload: Uint8Array,
): void {
  const now = context.now();
  if (allocation.closed || allocation.expiresAt <= now) return;
  if (!allocation.permits(peer.address, now)) {
    context.reject(
      'TURN_PEER_FORBIDDEN',
      allocation.tuple,
      `datagram from ${peer.address} without permission`,
    );
    return;
  }
  if (!allocation.bandwidth.take(payload.length, now)) {
    context.reject('TURN_RATE_LIMITED', allocation.tuple, 'bandwidth cap');
    return;
  }
  const channel = allocation.channelForPeer(peer.address, peer.port, now);
  if (channel === undefined && payload.length > MAX_INDICATION_PAYLOAD) {
    context.reject(
      'TURN_MALFORMED',
      allocation.tuple,
      'peer datagram too large for a Data indication',
    );
    return;
  }
  const frame =
    channel === undefined
      ? encodeDataIndication(peer, payload)
      : encodeChannelData(channel.number, payload, allocation.tuple.transport === 'tcp');
  context.stats.packetsToClient++;
  context.stats.bytesToClient += payload.length;
  context.actions.toClient(allocation.tuple, frame);
}
