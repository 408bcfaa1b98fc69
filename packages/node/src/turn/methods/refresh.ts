/**
 * Refresh (RFC 8656 §7.3–§7.4): extend an allocation, or delete it with LIFETIME 0. The granted
 * lifetime is capped by the server maximum (and shorter while the server is crowded,
 * lifetime-grant.ts) and never below the default, except 0.
 */
import { lifetime } from '../attributes/lifetime.js';
import { requestedAddressFamily } from '../attributes/requested-address-family.js';
import { attr, readAttribute } from '../attribute-reader.js';
import { authenticateForAllocation } from '../authenticate.js';
import { grantLifetime } from '../lifetime-grant.js';
import type { TurnHandler } from '../turn-context.js';

export const handleRefresh: TurnHandler = (context, request) => {
  const found = authenticateForAllocation(context, request);
  if (found === undefined) return;
  const { allocation, auth } = found;
  const family = readAttribute(request.message, requestedAddressFamily);
  if (family !== undefined && (!family.ok || family.value !== allocation.relayed.family)) {
    context.sendError(
      request,
      443,
      'TURN_UNSUPPORTED',
      'REQUESTED-ADDRESS-FAMILY differs from the allocation',
      auth.key,
    );
    return;
  }
  const requested = readAttribute(request.message, lifetime);
  if (requested !== undefined && !requested.ok) {
    context.sendError(request, 400, 'TURN_MALFORMED', requested.reason, auth.key);
    return;
  }
  const seconds = requested?.value === 0 ? 0 : grantLifetime(context, requested?.value);
  if (seconds === 0) context.deleteAllocation(allocation);
  else allocation.expiresAt = context.now() + seconds * 1000;
  context.sendSuccess(request, [attr(lifetime, seconds, request.message.transactionId)], auth.key);
};
