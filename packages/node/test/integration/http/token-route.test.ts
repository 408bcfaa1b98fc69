/** Issue 11, finding 5: `POST /token` takes a JSON body (usually `{}`) and refuses anything else. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeChallenge, utf8 } from '@sigmesh/protocol';
import { challengeFor, rawRequest, solveToken } from '../../helpers/raw-http.js';
import { startTestNode } from '../../helpers/test-node.js';

async function paidToken(baseUrl: string, body: string) {
  const { challenge } = await challengeFor(baseUrl, 'token');
  return rawRequest(`${baseUrl}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: `PoW ${await solveToken(challenge, utf8(body))}`,
    },
    body,
  });
}

test('POST /token refuses a body that is not JSON with BAD_JSON, and answers a JSON one', async (t) => {
  const node = await startTestNode(t);
  for (const body of ['hello', '{"a":', '\u0000']) {
    const refused = await paidToken(node.url(), body);
    assert.equal(refused.status, 400, body);
    assert.equal((refused.json() as { code: string }).code, 'BAD_JSON', body);
  }
  const answered = await paidToken(node.url(), '{}');
  assert.equal(answered.status, 200);
  assert.ok(Array.isArray((answered.json() as { iceServers: unknown }).iceServers));
});

test('a TURN credential is priced for what it can hold: base × the TURN server’s credential factor', async (t) => {
  const node = await startTestNode(t, { powBaseDifficulty: 100 });
  const info = (await rawRequest(`${node.url()}/`, {
    headers: { accept: 'application/json' },
  }).then((r) => r.json())) as { pow: { challenges: Record<string, string> } };
  const difficulty = (scope: string): number => {
    const decoded = decodeChallenge(info.pow.challenges[scope]!);
    assert.ok(decoded.ok);
    return decoded.value.difficulty;
  };
  assert.equal(difficulty('room-join'), 100);
  // 64 allocations × (one-hour credential + one-hour lifetime) ÷ 64 allocation-hours, idle server.
  assert.equal(difficulty('token'), 100 * 2);
  const answered = await paidToken(node.url(), '{}');
  assert.equal(answered.status, 200, 'the credential is paid at that price');
});
