import type { RoomHash } from '@sigmesh/protocol';
import type { FastifyRequest } from 'fastify';
import { clientKey } from '../pow/client-key.js';
import type { Payer } from '../pow/pow-pricing.js';
import type { NodeContext } from '../node-context.js';
import { SESSION_HEADER } from './routes/room-post-route.js';

/**
 * Who pays for a request: its address, and the member of `room` whose session it names when
 * that member is live here (its join was paid, so it has an allowance of its own). A missing or
 * stale session is not an error at this point: the request is then priced for its address only.
 */
export function requestPayer(
  request: FastifyRequest,
  ctx: NodeContext,
  room: RoomHash | undefined,
): Payer {
  const address = clientKey(request.ip);
  const session = request.headers[SESSION_HEADER];
  if (room === undefined || typeof session !== 'string') return { address };
  const member = ctx.rooms.bySession(room, session);
  return member === undefined || member.closed ? { address } : { address, member: member.peerId };
}
