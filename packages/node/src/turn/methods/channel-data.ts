/**
 * ChannelData from a client (RFC 8656 §12.5): relay the data to the peer bound to the channel.
 * The hot path: one map lookup for the allocation, one for the channel, a permission check and
 * the bandwidth bucket. Unbound channels and spent budgets drop the frame silently.
 */
import type { Allocation } from '../allocation.js';
import { parseChannelData } from '../channel-data-frame.js';
import type { TurnContext } from '../turn-context.js';

/** Relays one ChannelData frame received on the allocation's 5-tuple. */
export function relayChannelData(
  context: TurnContext,
  allocation: Allocation,
  bytes: Uint8Array,
): void {
  const frame = parseChannelData(bytes);
  if (frame === undefined) {
    context.reject('TURN_MALFORMED', allocation.tuple, 'bad ChannelData frame');
    return;
  }
  const now = context.now();
  const channel = allocation.channelsByNumber.get(frame.channel);
  if (
    channel === undefined ||
    channel.expiresAt <= now ||
    !allocation.permits(channel.peer.address, now)
  ) {
    context.reject(
      'TURN_PEER_FORBIDDEN',
      allocation.tuple,
      `channel 0x${frame.channel.toString(16)} not bound`,
    );
    return;
  }
  if (!allocation.bandwidth.take(frame.data.length, now)) {
    context.reject('TURN_RATE_LIMITED', allocation.tuple, 'bandwidth cap');
    return;
  }
  context.stats.packetsToPeer++;
  context.stats.bytesToPeer += frame.data.length;
  context.actions.toPeer(allocation, channel.peer, frame.data);
}
