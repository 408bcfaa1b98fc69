/**
 * CreatePermission (RFC 8656 §9): install or refresh permissions for one or more peer IPs.
 * All-or-nothing: if any address is refused, none is installed (§9.2). Permissions last
 * `permissionLifetimeSeconds` (300 s).
 */
import { xorPeerAddress } from '../attributes/xor-peer-address.js';
import { readAllAttributes } from '../attribute-reader.js';
import { authenticateForAllocation } from '../authenticate.js';
import type { TurnHandler } from '../turn-context.js';
import { vetPeerAddress } from './peer-address.js';

export const handleCreatePermission: TurnHandler = (context, request) => {
  const found = authenticateForAllocation(context, request);
  if (found === undefined) return;
  const { allocation, auth } = found;
  const decoded = readAllAttributes(request.message, xorPeerAddress);
  if (decoded.length === 0) {
    context.sendError(
      request,
      400,
      'TURN_MALFORMED',
      'CreatePermission without XOR-PEER-ADDRESS',
      auth.key,
    );
    return;
  }
  const ips: string[] = [];
  for (const item of decoded) {
    const vetted = vetPeerAddress(context, allocation, item);
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
    ips.push(vetted.peer.address);
  }
  const now = context.now();
  allocation.prune(now);
  const added = new Set(ips.filter((ip) => !allocation.permissions.has(ip))).size;
  if (allocation.permissions.size + added > context.options.maxPermissionsPerAllocation) {
    context.sendError(
      request,
      508,
      'TURN_QUOTA_EXCEEDED',
      'too many permissions on this allocation',
      auth.key,
    );
    return;
  }
  const expiry = now + context.options.permissionLifetimeSeconds * 1000;
  for (const ip of ips) allocation.permissions.set(ip, expiry);
  context.sendSuccess(request, [], auth.key);
};
