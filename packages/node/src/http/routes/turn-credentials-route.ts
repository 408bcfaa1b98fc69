import { randomBytes } from 'node:crypto';
import { sigmeshError, type TurnCredentialsResult } from '@sigmesh/protocol';
import type { FastifyInstance } from 'fastify';
import { clientKey } from '../../pow/client-key.js';
import { unpaidRefusal } from '../../pow/refusals.js';
import { UnpaidLimiter } from '../../pow/unpaid-limiter.js';
import type { NodeContext } from '../../node-context.js';

/**
 * `GET /turn`: short-lived TURN credentials (an RTCIceServer list) without proof-of-work, for
 * apps that cannot pay it — an unchanged Trystero or WebTorrent app fetches them and passes them
 * as `turnConfig` / `rtcConfig` (docs/dialects.md). Instead of a price, a small allowance per
 * client address (`--turn-credentials-per-minute`); past it 429 UNPAID_RATE_LIMITED with a
 * truthful Retry-After. What a credential can then hold is bounded by the TURN server's own
 * quotas (allocations per credential and per address, bandwidth, lifetimes).
 */
export function registerTurnCredentialsRoute(app: FastifyInstance, ctx: NodeContext): void {
  const perMinute = ctx.config.turnCredentialsPerMinute;
  if (perMinute === 0) return;
  const allowance = new UnpaidLimiter({
    perSecond: perMinute / 60,
    burst: perMinute,
    maxClients: ctx.config.maxTrackedClients,
    now: ctx.now,
  });
  app.get('/turn', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const taken = allowance.take(clientKey(request.ip));
    if (!taken.ok) throw unpaidRefusal(taken.retryAfterMs);
    // A random id part: the REST username must be unique-ish and must not carry the address.
    const list = ctx.turn.iceServers(randomBytes(6).toString('hex'), request.host);
    if (list === undefined)
      throw sigmeshError(
        'TURN_UNAVAILABLE',
        'this node runs no TURN server and has no external one configured',
      );
    const result: TurnCredentialsResult = { iceServers: list.iceServers, ttl: list.ttl };
    return result;
  });
}
