/**
 * Allocate (RFC 8656 §7.2): after authentication, a retransmission on the 5-tuple gets the
 * cached success; a new transaction gets 437. Then REQUESTED-TRANSPORT must be UDP (442), no
 * DONT-FRAGMENT (handled as an unknown attribute: 420), no reservations (508), an IPv4 family
 * unless the relay is IPv6 (440), and quotas per username and per client address (486) and per
 * server (508, or 300 to an alternate server). The lifetime is short while the server is crowded
 * (lifetime-grant.ts). The relay socket is opened by the adapter; {@link completeAllocate} answers.
 */
import { requestedAddressFamily } from '../attributes/requested-address-family.js';
import { PROTOCOL_UDP, requestedTransport } from '../attributes/requested-transport.js';
import { reservationToken } from '../attributes/reservation-token.js';
import { evenPort } from '../attributes/even-port.js';
import { lifetime } from '../attributes/lifetime.js';
import { xorMappedAddress } from '../attributes/xor-mapped-address.js';
import { xorRelayedAddress } from '../attributes/xor-relayed-address.js';
import { alternateServer } from '../attributes/alternate-server.js';
import { attr, readAttribute } from '../attribute-reader.js';
import { authenticate } from '../authenticate.js';
import { addressShareKey } from '../address-share.js';
import { Allocation } from '../allocation.js';
import { canonicalIp, ipFamily, type TransportAddress } from '../ip-address.js';
import { grantLifetime } from '../lifetime-grant.js';
import { successResponse } from '../stun-responses.js';
import type { PendingAllocation, TurnContext, TurnHandler } from '../turn-context.js';

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function parseHostPort(text: string): TransportAddress | undefined {
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(text);
  const address = match?.[1] === undefined ? undefined : canonicalIp(match[1]);
  if (address === undefined || match?.[2] === undefined) return undefined;
  return { family: ipFamily(address), address, port: Number(match[2]) };
}

export const handleAllocate: TurnHandler = (context, request) => {
  const { message, tuple } = request;
  const existing = context.state.allocations.get(tuple.key);
  const auth = authenticate(context, request, existing?.key);
  if (auth === undefined) return;
  const transaction = hex(message.transactionId);
  if (existing !== undefined) {
    if (existing.allocateTransaction === transaction)
      context.actions.toClient(tuple, existing.allocateResponse);
    else
      context.sendError(
        request,
        437,
        'TURN_ALLOCATION_MISMATCH',
        'allocation exists on this 5-tuple',
        auth.key,
      );
    return;
  }
  const pending = context.state.pending.get(tuple.key);
  if (pending !== undefined) {
    // A retransmission while the relay socket opens is dropped: the client retries and then
    // receives the cached success.
    if (pending.transaction !== transaction) {
      context.sendError(
        request,
        437,
        'TURN_ALLOCATION_MISMATCH',
        'allocation in progress on this 5-tuple',
        auth.key,
      );
    }
    return;
  }
  const transport = readAttribute(message, requestedTransport);
  if (transport?.ok !== true) {
    context.sendError(
      request,
      400,
      'TURN_MALFORMED',
      'Allocate without REQUESTED-TRANSPORT',
      auth.key,
    );
    return;
  }
  if (transport.value !== PROTOCOL_UDP) {
    context.sendError(
      request,
      442,
      'TURN_UNSUPPORTED',
      `relay protocol ${transport.value}`,
      auth.key,
    );
    return;
  }
  const even = readAttribute(message, evenPort);
  const token = readAttribute(message, reservationToken);
  const family = readAttribute(message, requestedAddressFamily);
  if (
    (even !== undefined && !even.ok) ||
    (family !== undefined && !family.ok) ||
    (even !== undefined && token !== undefined)
  ) {
    context.sendError(
      request,
      400,
      'TURN_MALFORMED',
      'bad EVEN-PORT, RESERVATION-TOKEN or REQUESTED-ADDRESS-FAMILY',
      auth.key,
    );
    return;
  }
  if (token !== undefined) {
    context.sendError(request, 508, 'TURN_UNSUPPORTED', 'reservations are not kept', auth.key);
    return;
  }
  const relayFamily = context.relayFamily;
  if (family?.ok === true && family.value !== relayFamily) {
    context.sendError(
      request,
      440,
      'TURN_UNSUPPORTED',
      `IPv${family.value} relay not available`,
      auth.key,
    );
    return;
  }
  const requested = readAttribute(message, lifetime);
  if (requested !== undefined && !requested.ok) {
    context.sendError(request, 400, 'TURN_MALFORMED', requested.reason, auth.key);
    return;
  }
  const { options, state } = context;
  const used = state.perUsername.get(auth.username) ?? 0;
  if (used >= options.maxAllocationsPerUsername) {
    context.sendError(
      request,
      486,
      'TURN_QUOTA_EXCEEDED',
      `username has ${used} allocations`,
      auth.key,
    );
    return;
  }
  // Credentials are cheap to mint in bulk; the client's address is not (RFC 8656 §7.2 lets the
  // server cap allocations "per client" with 486 as well as per username).
  const share = addressShareKey(tuple.client.address);
  const fromAddress = state.perAddress.get(share);
  if (fromAddress >= options.maxAllocationsPerAddress) {
    context.sendError(
      request,
      486,
      'TURN_QUOTA_EXCEEDED',
      `address ${share} has ${fromAddress} allocations`,
      auth.key,
    );
    return;
  }
  if (state.allocations.size + state.pending.size >= options.maxAllocations) {
    const alternate =
      options.alternateServer === undefined ? undefined : parseHostPort(options.alternateServer);
    if (alternate !== undefined) {
      const extra = [attr(alternateServer, alternate, message.transactionId)];
      context.sendError(
        request,
        300,
        'TURN_QUOTA_EXCEEDED',
        'server full, trying alternate',
        auth.key,
        extra,
      );
    } else {
      context.sendError(
        request,
        508,
        'TURN_QUOTA_EXCEEDED',
        'server allocation quota reached',
        auth.key,
      );
    }
    return;
  }
  const seconds = grantLifetime(context, requested?.value);
  const entry: PendingAllocation = {
    request: { id: context.nextId(), tuple, family: relayFamily, evenPort: even !== undefined },
    message,
    transaction,
    username: auth.username,
    key: auth.key,
    lifetimeSeconds: seconds,
  };
  state.pending.set(tuple.key, entry);
  state.perUsername.set(auth.username, used + 1);
  state.perAddress.add(share);
  context.actions.openRelay(entry.request);
};

/** Finishes a pending Allocate once the relay socket is open (or failed: 508). */
export function completeAllocate(
  context: TurnContext,
  entry: PendingAllocation,
  relayed: TransportAddress | undefined,
): Allocation | undefined {
  const { state, options } = context;
  const tuple = entry.request.tuple;
  state.pending.delete(tuple.key);
  const request = { tuple, message: entry.message };
  if (relayed === undefined) {
    context.releaseShares(entry.username, tuple.client.address);
    context.sendError(request, 508, 'TURN_UNAVAILABLE', 'could not open a relay socket', entry.key);
    return undefined;
  }
  const id = entry.message.transactionId;
  const response = successResponse(
    entry.message,
    [
      attr(xorRelayedAddress, relayed, id),
      attr(lifetime, entry.lifetimeSeconds, id),
      attr(xorMappedAddress, tuple.client, id),
    ],
    entry.key,
    options.software,
  );
  const now = context.now();
  const allocation = new Allocation(
    entry.request.id,
    tuple,
    entry.username,
    entry.key,
    relayed,
    now + entry.lifetimeSeconds * 1000,
    entry.transaction,
    response,
    options.maxBytesPerSecondPerAllocation,
    options.bandwidthBurstBytes,
    now,
  );
  state.allocations.set(tuple.key, allocation);
  context.stats.allocationsCreated++;
  context.actions.toClient(tuple, response);
  return allocation;
}
