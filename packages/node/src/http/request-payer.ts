import type { RoomHash } from '@sigmesh/protocol';
import type { FastifyRequest } from 'fastify';
import { clientKey } from '../pow/client-key.js';
import type { Payer } from '../pow/pow-pricing.js';
import type { NodeContext } from '../node-context.js';

/** The header carrying the session token from the member's `welcome` event. */
export const SESSION_HEADER = 'sigmesh-session';

/**
 * Who pays for a request: its address, and the member of `room` whose session it names when
 * that member is live here (its join was paid, so it has an allowance of its own). A missing or
 * stale session is not an error at this point: the request is then priced for its address only.
 */
export function payerOf(
  ctx: NodeContext,
  address: string,
  room: RoomHash | undefined,
  session: string | string[] | undefined,
): Payer {
  const key = clientKey(address);
  if (room === undefined || typeof session !== 'string') return { address: key };
  const member = ctx.rooms.bySession(room, session);
  return member === undefined || member.closed
    ? { address: key }
    : { address: key, member: member.peerId };
}

/** {@link payerOf} for a Fastify request. */
export function requestPayer(
  request: FastifyRequest,
  ctx: NodeContext,
  room: RoomHash | undefined,
): Payer {
  return payerOf(ctx, request.ip, room, request.headers[SESSION_HEADER]);
}
