/**
 * ChannelBind (RFC 8656 §12.2–§12.3): bind a channel number (0x4000–0x7FFF, see `channel-data-frame.ts`) to a peer transport
 * address, or refresh that binding. A number and a peer stay paired until 5 minutes after
 * expiry. Binding also installs or refreshes the permission for the peer's IP.
 */
import { channelNumber } from '../attributes/channel-number.js';
import { xorPeerAddress } from '../attributes/xor-peer-address.js';
import { readAttribute } from '../attribute-reader.js';
import { authenticateForAllocation } from '../authenticate.js';
import { peerKey } from '../allocation.js';
import { MAX_CHANNEL, MIN_CHANNEL } from '../channel-data-frame.js';
import type { TurnHandler } from '../turn-context.js';
import { vetPeerAddress } from './peer-address.js';

export const handleChannelBind: TurnHandler = (context, request) => {
  const found = authenticateForAllocation(context, request);
  if (found === undefined) return;
  const { allocation, auth } = found;
  const number = readAttribute(request.message, channelNumber);
  const decodedPeer = readAttribute(request.message, xorPeerAddress);
  if (
    number?.ok !== true ||
    number.value < MIN_CHANNEL ||
    number.value > MAX_CHANNEL ||
    decodedPeer === undefined
  ) {
    context.sendError(
      request,
      400,
      'TURN_MALFORMED',
      'ChannelBind needs CHANNEL-NUMBER 0x4000–0x7FFF and XOR-PEER-ADDRESS',
      auth.key,
    );
    return;
  }
  const vetted = vetPeerAddress(context, allocation, decodedPeer);
  if (!vetted.ok) {
    context.sendError(
      request,
      vetted.refusal.stun,
      vetted.refusal.code,
      vetted.refusal.detail,
      auth.key,
    );
    return;
  }
  const peer = vetted.peer;
  if (peer.port === 0) {
    // Port 0 cannot be sent to (the socket layer throws); a channel to it could never carry data.
    context.sendError(request, 400, 'TURN_MALFORMED', 'peer port 0', auth.key);
    return;
  }
  const key = peerKey(peer.address, peer.port);
  const now = context.now();
  allocation.prune(now);
  const byNumber = allocation.channelsByNumber.get(number.value);
  const byPeer = allocation.channelsByPeer.get(key);
  if (
    (byNumber !== undefined && byNumber.peerKey !== key) ||
    (byPeer !== undefined && byPeer.number !== number.value)
  ) {
    context.sendError(
      request,
      400,
      'TURN_MALFORMED',
      'channel or peer already bound to another',
      auth.key,
    );
    return;
  }
  if (byNumber === undefined) {
    if (allocation.channelsByNumber.size >= context.options.maxChannelsPerAllocation) {
      context.sendError(
        request,
        508,
        'TURN_QUOTA_EXCEEDED',
        'too many channels on this allocation',
        auth.key,
      );
      return;
    }
    if (
      !allocation.permissions.has(peer.address) &&
      allocation.permissions.size >= context.options.maxPermissionsPerAllocation
    ) {
      context.sendError(
        request,
        508,
        'TURN_QUOTA_EXCEEDED',
        'too many permissions on this allocation',
        auth.key,
      );
      return;
    }
    const channel = { number: number.value, peer, peerKey: key, expiresAt: 0 };
    allocation.channelsByNumber.set(channel.number, channel);
    allocation.channelsByPeer.set(key, channel);
  }
  const channel = allocation.channelsByNumber.get(number.value);
  if (channel !== undefined)
    channel.expiresAt = now + context.options.channelLifetimeSeconds * 1000;
  allocation.permissions.set(peer.address, now + context.options.permissionLifetimeSeconds * 1000);
  context.sendSuccess(request, [], auth.key);
};
