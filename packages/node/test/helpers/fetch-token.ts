import assert from 'node:assert/strict';
import { parseTokenResult, type TokenResult } from '@sigmesh/protocol';
import { fetchNodeInfo, postWithPow, quotedOffer } from '../../src/cli/node-api-client.js';

/** Pays the PoW and fetches ICE servers from a node's `POST /token`. */
export async function fetchToken(baseUrl: string): Promise<TokenResult> {
  const info = await fetchNodeInfo(baseUrl);
  const answer = parseTokenResult(
    await postWithPow(`${baseUrl}/token`, {}, quotedOffer(info, 'token')),
  );
  assert.ok(answer.ok, answer.ok ? '' : answer.message);
  return answer.value;
}
