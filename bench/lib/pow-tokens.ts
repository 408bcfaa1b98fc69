import { nodeCryptoSearch } from '@sigmesh/node';
import {
  decodeChallenge,
  formatPowToken,
  parseNodeInfo,
  solve,
  utf8,
  type PowScope,
} from '@sigmesh/protocol';
import type { KeepAliveConnection } from './keepalive-connection.js';

/**
 * Fetches a fresh challenge for `scope` from `GET /` (each answer carries a new one, priced for
 * this client) and solves it for `bound` with node:crypto. Returns the token text.
 */
export async function solvedToken(
  connection: KeepAliveConnection,
  scope: PowScope,
  bound: Uint8Array,
): Promise<string> {
  const info = parseNodeInfo(await connection.getJson('/'));
  if (!info.ok) throw new Error(`GET / is not a sigmesh node answer: ${info.message}`);
  const text = info.value.pow.challenges?.[scope];
  if (text === undefined)
    throw new Error(`GET / quotes no challenge: refused ${JSON.stringify(info.value.pow.refused)}`);
  const challenge = decodeChallenge(text);
  if (!challenge.ok) throw new Error(challenge.message);
  const counter = await solve(challenge.value.bytes, challenge.value.difficulty, bound, {
    search: nodeCryptoSearch,
  });
  return formatPowToken(text, counter);
}

/** A join token for `room` (scope `room-join`, bound to the room hash). */
export function joinToken(connection: KeepAliveConnection, room: string): Promise<string> {
  return solvedToken(connection, 'room-join', utf8(room));
}

/**
 * `count` post tokens over the exact `bound` bytes (a post's body, or its room hash where the
 * node takes room-bound posts), fetched and solved over `connections` in parallel. Run before
 * a timed window: the window then measures only the node's verification.
 */
export async function postTokens(
  connections: readonly KeepAliveConnection[],
  count: number,
  bound: Uint8Array,
): Promise<string[]> {
  const tokens: string[] = [];
  let next = 0;
  await Promise.all(
    connections.map(async (connection) => {
      while (next < count) {
        next++;
        tokens.push(await solvedToken(connection, 'room-post', bound));
      }
    }),
  );
  return tokens;
}
