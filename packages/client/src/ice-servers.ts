import {
  parseTokenResult,
  sigmeshError,
  utf8,
  type PowOffer,
  type TurnIceServer,
} from '@sigmesh/protocol';
import type { NodeSession } from './nodes/node-session.js';
import { probedOffer, takesPlainPosts, type ProbedNode } from './nodes/node-pool.js';
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

/** What `/token` is asked with: the PoW binds to these exact bytes, so it can be paid ahead. */
const TOKEN_BODY = '{}';

/**
 * Pays the `/token` challenge that `node`'s probe quoted, ahead of the request (while its join
 * is on its way, say): resolves the PoW token for {@link fetchIceServers}' `prepaid`, or
 * undefined when the probe quoted none or the payment failed (the request then pays itself).
 */
export function prepayIceServers(node: ProbedNode, solver: PowSolver): Promise<string | undefined> {
  const offer = probedOffer(node, 'token');
  if (offer === undefined) return Promise.resolve(undefined);
  return solver.pay(offer, utf8(TOKEN_BODY)).catch(() => undefined);
}

/**
 * `POST /token` on a node we are a member of, paying its PoW: its STUN and TURN servers with
 * fresh credentials. The member's session goes along (`?room=` and the session), so the
 * node charges this member's own allowance rather than only our address's, which every tab
 * behind the same NAT shares. A raised price is re-paid and a Retry-After waited out until
 * `timeoutMs` (see paidRequest). `prepaid` is a token already paid for the probe's challenge
 * ({@link prepayIceServers}); it is the same payment, made earlier.
 */
export async function fetchIceServers(
  session: NodeSession,
  solver: PowSolver,
  timeoutMs: number,
  offer: PowOffer | undefined = probedOffer(session.probe, 'token'),
  prepaid?: string,
): Promise<NodeIceServers> {
  const url = `${session.url}/token?room=${session.room}`;
  const answer = await postPaid(url, TOKEN_BODY, offer, solver, {
    session: session.sessionToken,
    plain: takesPlainPosts(session.probe),
    deadline: Date.now() + timeoutMs,
    signal: AbortSignal.timeout(timeoutMs),
    maxDifficulty: Number.MAX_SAFE_INTEGER,
    ...(prepaid === undefined ? {} : { prepaid }),
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
