/**
 * Requests without proof-of-work are limited per address (a token bucket): they buy nothing, so
 * past the allowance they get a cheap 429 UNPAID_RATE_LIMITED with a truthful Retry-After,
 * readable by pages on other origins. Paid requests are never charged.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveRoomHash } from '@sigmesh/protocol';
import { rawRequest } from '../helpers/raw-http.js';
import { joinRoom } from '../helpers/room-client.js';
import { startTestNode } from '../helpers/test-node.js';

const room = deriveRoomHash('test-app', 'unpaid-limit');
const json = { accept: 'application/json' };

function code(response: { json(): unknown }): string {
  return (response.json() as { code: string }).code;
}

test('free endpoints share one allowance per address; past it a readable 429 with a truthful Retry-After', async (t) => {
  let clock = Date.UTC(2030, 0, 1);
  const node = await startTestNode(t, {
    now: () => clock,
    unpaidBurst: 6,
    unpaidRequestsPerSecond: 0.5,
  });
  const url = node.url();
  const member = await joinRoom(url, room); // its GET / is the first unpaid request
  t.after(() => member.close());
  for (const path of ['/ip', '/nodes', '/status', '/metrics'])
    assert.equal((await rawRequest(`${url}${path}`, { headers: json })).status, 200, path);
  const preflight = await rawRequest(`${url}/room/${room}`, {
    method: 'OPTIONS',
    headers: {
      origin: 'https://app.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type, sigmesh-session',
    },
  });
  assert.equal(preflight.status, 204, 'a CORS preflight is the sixth unpaid request');

  const refused = await rawRequest(`${url}/`, {
    headers: { ...json, origin: 'https://app.example' },
  });
  assert.equal(refused.status, 429);
  assert.equal(code(refused), 'UNPAID_RATE_LIMITED');
  assert.equal(refused.headers['retry-after'], '2', 'one token every 2 s');
  assert.equal(refused.headers['access-control-allow-origin'], '*', 'a page can read it');
  assert.match(String(refused.headers['access-control-expose-headers']), /retry-after/);
  const again = await rawRequest(`${url}/room/${room}`, { method: 'OPTIONS', headers: json });
  assert.equal(again.status, 429, 'preflights are charged too');

  assert.equal(
    (await rawRequest(`${url}/`, { headers: json, localAddress: '127.0.0.2' })).status,
    200,
    'another address has its own allowance',
  );
  await member.post('paid requests are never charged');

  clock += 1_999;
  assert.equal((await rawRequest(`${url}/ip`, { headers: json })).status, 429, '1 ms early');
  clock += 1;
  assert.equal((await rawRequest(`${url}/ip`, { headers: json })).status, 200, 'on time');
});

test('paid routes asked without a valid proof are charged: past the allowance no more challenges', async (t) => {
  const node = await startTestNode(t, { unpaidBurst: 3, unpaidRequestsPerSecond: 0.1 });
  const ask = () =>
    rawRequest(`${node.url()}/token`, {
      method: 'POST',
      headers: { ...json, 'content-type': 'application/json', authorization: 'PoW junk.1' },
      body: '{}',
    });
  for (let i = 0; i < 3; i++) {
    const answer = await ask();
    assert.equal(answer.status, 400, 'a malformed proof, answered with a fresh challenge');
    assert.ok(answer.headers['www-authenticate'] !== undefined);
  }
  const refused = await ask();
  assert.equal(refused.status, 429);
  assert.equal(code(refused), 'UNPAID_RATE_LIMITED');
  assert.equal(refused.headers['www-authenticate'], undefined, 'no challenge is minted for it');
  assert.equal(refused.headers['retry-after'], '10');
});
