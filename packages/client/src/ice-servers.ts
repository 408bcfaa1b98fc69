import {
  parseTokenResult,
  sigmeshError,
  type PowOffer,
  type TurnIceServer,
} from '@sigmesh/protocol';
import type { NodeSession } from './nodes/node-session.js';
import { probedOffer } from './nodes/node-pool.js';
import { postPaid } from './nodes/paid-request.js';
import type { PowSolver } from './pow/pow-solver.js';

/** TURN credentials from one node, and when to fetch new ones. */
export interface NodeIceServers {
  readonly url: string;
  readonly iceServers: readonly TurnIceServer[];
  /** Unix ms after which to refresh (80 % of the lifetime). */
  readonly refreshAt: number;
  /** The challenge the node offered for the next `/token`. */
  readonly next: PowOffer;
}

/**
 * `POST /token` on a node we are a member of, paying its PoW: its STUN and TURN servers with
 * fresh credentials. The member's session goes along (`?room=` and `Sigmesh-Session`), so the
 * node charges this member's own allowance rather than only our address's, which every tab
 * behind the same NAT shares. A raised price is re-paid and a Retry-After waited out until
 * `timeoutMs` (see paidRequest).
 */
export async function fetchIceServers(
  session: NodeSession,
  solver: PowSolver,
  timeoutMs: number,
  offer: PowOffer | undefined = probedOffer(session.probe, 'token'),
): Promise<NodeIceServers> {
  const url = `${session.url}/token?room=${session.room}`;
  const answer = await postPaid(url, '{}', offer, solver, {
    headers: { 'sigmesh-session': session.sessionToken },
    deadline: Date.now() + timeoutMs,
    signal: AbortSignal.timeout(timeoutMs),
    maxDifficulty: Number.MAX_SAFE_INTEGER,
  });
  const result = parseTokenResult(answer.json);
  if (!result.ok) throw sigmeshError('NODE_UNREACHABLE', `${url}: ${result.message}`);
  return {
    url: session.url,
    iceServers: result.value.iceServers,
    refreshAt: Date.now() + result.value.ttl * 800,
    next: result.value.next,
  };
}

/** True when a list has a TURN server (what relay-only ICE needs). */
export function hasTurn(servers: readonly RTCIceServer[]): boolean {
  return servers.some((server) =>
    (typeof server.urls === 'string' ? [server.urls] : server.urls).some((url) =>
      /^turns?:/.test(url),
    ),
  );
}
