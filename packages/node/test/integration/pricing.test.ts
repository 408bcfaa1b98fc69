import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SigmeshError } from '@sigmesh/protocol';
import { deriveRoomHash } from '@sigmesh/protocol';
import { rawRequest } from '../helpers/raw-http.js';
import { joinRoom } from '../helpers/room-client.js';
import { startTestNode } from '../helpers/test-node.js';

const room = deriveRoomHash('test-app', 'pricing');

async function price(baseUrl: string, localAddress = '127.0.0.1'): Promise<number> {
  const response = await rawRequest(`${baseUrl}/`, {
    headers: { accept: 'application/json' },
    localAddress,
  });
  return (response.json() as { pow: { price: number } }).pow.price;
}

test("the price rises with one client's message rate, and only for that client", async (t) => {
  const node = await startTestNode(t, {
    powBaseDifficulty: 16,
    powFreeMessages: 2,
    powMessagesPerDoubling: 1,
  });
  assert.equal(await price(node.url()), 16);
  const member = await joinRoom(node.url(), room); // request 1
  t.after(() => member.close());
  await member.post('one'); // 2
  await member.post('two'); // 3
  await member.post('three'); // 4
  assert.equal(await price(node.url()), 16 * 2 ** (4 - 2), 'two doublings past the free allowance');
  assert.equal(
    await price(node.url(), '127.0.0.2'),
    16,
    'another client still pays the base price',
  );
});

test('past the cap a chatty client gets 429 with Retry-After', async (t) => {
  const node = await startTestNode(t, {
    powBaseDifficulty: 16,
    powMaxDifficulty: 64,
    powFreeMessages: 1,
    powMessagesPerDoubling: 1,
  });
  const member = await joinRoom(node.url(), room);
  t.after(() => member.close());
  // Requests so far: the join. Price = 16 × 2^(n − 1) for n requests in the last minute.
  await member.post('a'); // n = 2 → next price 32
  await member.post('b'); // n = 3 → next price 64, the cap
  await member.post('c'); // n = 4 → 128 would exceed the cap
  await assert.rejects(member.post('d'), (error: SigmeshError) => {
    assert.equal(error.code, 'RATE_LIMITED');
    assert.ok(error.retryAfter !== undefined && error.retryAfter >= 1 && error.retryAfter <= 10);
    return true;
  });
});

test('the price rises with the node’s real event-loop load and 503s past the cap', async (t) => {
  const node = await startTestNode(t, {
    powBaseDifficulty: 16,
    loadSampleMs: 20,
    powLoadKnee: 0.5,
    powLoadDoublings: 10,
  });
  assert.equal(await price(node.url()), 16);
  // Keep this process's event loop ~90% busy for a while: the node runs here, so its sampler sees it.
  const until = Date.now() + 1500;
  while (Date.now() < until) {
    const busyUntil = Date.now() + 18;
    while (Date.now() < busyUntil) {
      // busy
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const loaded = await price(node.url());
  assert.ok(loaded > 16 * 8, `price under load ${loaded} should be far above the idle 16`);

  const capped = await startTestNode(t, {
    powBaseDifficulty: 16,
    powMaxDifficulty: 32,
    load: { current: () => ({ cpu: 1, mem: 0, smoothed: 1 }) },
  });
  const response = await rawRequest(`${capped.url()}/room/${room}`, {
    headers: { accept: 'application/json' },
  });
  assert.equal(response.status, 503);
  assert.equal((response.json() as { code: string }).code, 'NODE_OVERLOADED');
  assert.ok(Number(response.headers['retry-after']) > 0);
});
