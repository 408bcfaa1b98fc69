/**
 * Issue 11, finding 3: `Retry-After` must be the time after which the same request is really
 * accepted, and `GET /` must not quote a challenge the client may not use. The node runs on an
 * injected clock, so the test moves time instead of waiting.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeChallenge,
  deriveRoomHash,
  parseNodeInfo,
  type NodeInfo,
  type SigmeshError,
} from '@sigmesh/protocol';
import { postWithPow } from '../../src/cli/node-api-client.js';
import { rawRequest } from '../helpers/raw-http.js';
import { joinRoom } from '../helpers/room-client.js';
import { nodeDefaults } from '../../src/index.js';
import { startTestNode } from '../helpers/test-node.js';

const room = deriveRoomHash('test-app', 'retry-after');

/** A clock 5 s into a 10 s slot of the rate counters, moved by the test. */
function testClock(): { now: () => number; advance: (seconds: number) => void } {
  let clock = Date.UTC(2030, 0, 1, 0, 0, 5);
  return { now: () => clock, advance: (seconds) => (clock += seconds * 1000) };
}

async function rejection(promise: Promise<unknown>): Promise<SigmeshError> {
  return promise.then(
    () => assert.fail('expected a refusal'),
    (error: unknown) => error as SigmeshError,
  );
}

test("a member that waits RATE_LIMITED's Retry-After is accepted then, and not a second before", async (t) => {
  const clock = testClock();
  const node = await startTestNode(t, {
    now: clock.now,
    powBaseDifficulty: 1,
    powMaxDifficulty: 64,
    powFreeMessages: 1,
    powMessagesPerDoubling: 1,
  });
  const member = await joinRoom(node.url(), room);
  t.after(() => member.close());
  // Two posts per 10 s slot until the member's price passes the cap.
  let refused: SigmeshError | undefined;
  for (let post = 0; refused === undefined && post < 40; post++) {
    if (post % 2 === 0 && post > 0) clock.advance(10);
    refused = await member.post({ post }).then(
      () => undefined,
      (error: unknown) => error as SigmeshError,
    );
  }
  assert.equal(refused?.code, 'RATE_LIMITED');
  const retryAfter = refused.retryAfter ?? 0;
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter} s`);

  clock.advance(retryAfter - 1);
  assert.equal((await rejection(member.post('too early'))).code, 'RATE_LIMITED');
  clock.advance(1);
  await member.post('on time'); // accepted exactly when Retry-After said
});

async function nodeInfo(baseUrl: string): Promise<NodeInfo> {
  const response = await rawRequest(`${baseUrl}/`, { headers: { accept: 'application/json' } });
  const info = parseNodeInfo(response.json());
  assert.ok(info.ok, info.ok ? '' : info.message);
  return info.value;
}

/** Pays the `token` challenge `GET /` quoted (session-less: counted against the address). */
async function payQuotedToken(baseUrl: string, info: NodeInfo): Promise<unknown> {
  const challenge = info.pow.challenges?.token;
  assert.ok(challenge !== undefined, 'GET / quoted a token challenge');
  const decoded = decodeChallenge(challenge);
  assert.ok(decoded.ok);
  return postWithPow(
    `${baseUrl}/token`,
    {},
    {
      challenge,
      difficulty: decoded.value.difficulty,
      scope: 'token',
    },
  );
}

test('GET / never quotes a challenge the client may not use; it says when to come back', async (t) => {
  const clock = testClock();
  const node = await startTestNode(t, {
    now: clock.now,
    powBaseDifficulty: 1,
    powMaxDifficulty: 16,
    powAddressFreeMessages: 1,
    powAddressMessagesPerDoubling: 1,
    unpaidRequestsPerSecond: nodeDefaults.unpaidRequestsPerSecond,
    unpaidBurst: nodeDefaults.unpaidBurst,
  });
  // Session-less requests count against the address; every challenge GET / quotes must work.
  let info = await nodeInfo(node.url());
  for (let request = 0; info.pow.refused === undefined && request < 20; request++) {
    if (request % 2 === 0 && request > 0) clock.advance(10);
    await payQuotedToken(node.url(), info);
    info = await nodeInfo(node.url());
  }
  const refused = info.pow.refused;
  assert.ok(refused !== undefined, 'GET / says the address is refused for now');
  assert.equal(refused.code, 'RATE_LIMITED');
  assert.equal(info.pow.challenges, undefined, 'and quotes no challenge it would refuse');

  clock.advance(refused.retryAfter - 1);
  assert.ok((await nodeInfo(node.url())).pow.refused !== undefined, 'still refused 1 s early');
  clock.advance(1);
  info = await nodeInfo(node.url());
  assert.equal(info.pow.refused, undefined);
  await payQuotedToken(node.url(), info); // the quoted challenge is accepted
});
