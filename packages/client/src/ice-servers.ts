import {
  parseTokenResult,
  sigmeshError,
  type PowOffer,
  type TurnIceServer,
} from '@sigmesh/protocol';
import { postPaid } from './nodes/node-http.js';
import type { ProbedNode } from './nodes/node-pool.js';
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

/** `POST /token` on a node, paying its PoW: its STUN and TURN servers with fresh credentials. */
export async function fetchIceServers(
  node: ProbedNode,
  solver: PowSolver,
  offer: PowOffer = {
    challenge: node.info.pow.challenges.token,
    difficulty: node.info.pow.price,
    scope: 'token',
  },
  signal?: AbortSignal,
): Promise<NodeIceServers> {
  const answer = await postPaid(
    `${node.url}/token`,
    '{}',
    offer,
    solver,
    signal === undefined ? {} : { signal },
  );
  const result = parseTokenResult(answer.json);
  if (!result.ok) throw sigmeshError('NODE_UNREACHABLE', `${node.url}/token: ${result.message}`);
  return {
    url: node.url,
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
