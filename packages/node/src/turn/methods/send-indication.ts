/**
 * Send indication (RFC 8656 §11.2): relay DATA to XOR-PEER-ADDRESS. Indications are never
 * answered: a missing permission, bad attributes or a spent bandwidth budget drop it silently.
 */
import { data } from '../attributes/data.js';
import { xorPeerAddress } from '../attributes/xor-peer-address.js';
import { readAttribute } from '../attribute-reader.js';
import type { TurnHandler } from '../turn-context.js';

export const handleSendIndication: TurnHandler = (context, request) => {
  const allocation = context.state.allocations.get(request.tuple.key);
  if (allocation === undefined || allocation.closed) {
    context.reject(
      'TURN_ALLOCATION_MISMATCH',
      request.tuple,
      'Send indication without an allocation',
    );
    return;
  }
  const peer = readAttribute(request.message, xorPeerAddress);
  const payload = readAttribute(request.message, data);
  // Port 0 is not a destination: the relay socket would throw on it.
  if (peer?.ok !== true || payload?.ok !== true || peer.value.port === 0) {
    context.reject(
      'TURN_MALFORMED',
      request.tuple,
      'Send indication without XOR-PEER-ADDRESS (port 1–65535) and DATA',
    );
    return;
  }
  const now = context.now();
  if (!allocation.permits(peer.value.address, now)) {
    context.reject('TURN_PEER_FORBIDDEN', request.tuple, `no permission for ${peer.value.address}`);
    return;
  }
  if (!allocation.bandwidth.take(payload.value.length, now)) {
    context.reject('TURN_RATE_LIMITED', request.tuple, 'bandwidth cap');
    return;
  }
  context.stats.packetsToPeer++;
  context.stats.bytesToPeer += payload.value.length;
  context.actions.toPeer(allocation, peer.value, payload.value);
};
