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

test("the price rises with one member's message rate, and only for that member", async (t) => {
  const node = await startTestNode(t, {
    powBaseDifficulty: 16,
    powFreeMessages: 1,
    powMessagesPerDoubling: 1,
  });
  assert.equal(await price(node.url()), 16);
  const member = await joinRoom(node.url(), room); // a join counts against the address only
  const neighbour = await joinRoom(node.url(), room); // another tab behind the same address
  t.after(() => [member, neighbour].forEach((m) => m.close()));
  await member.post('one');
  await member.post('two');
  const third = (await member.post('three')) as { next: { difficulty: number } };
  assert.equal(third.next.difficulty, 16 * 2 ** (3 - 1), 'two doublings past the free allowance');
  const theirs = (await neighbour.post('hi')) as { next: { difficulty: number } };
  assert.equal(theirs.next.difficulty, 16, 'a member behind the same address still pays the base');
  assert.equal(await price(node.url()), 16, 'and so does the next join from that address');
  assert.equal(
    await price(node.url(), '127.0.0.2'),
    16,
    'another client still pays the base price',
  );
});

test('past the cap a chatty member gets 429 with a Retry-After inside the one-minute window', async (t) => {
  const node = await startTestNode(t, {
    powBaseDifficulty: 16,
    powMaxDifficulty: 64,
    powFreeMessages: 1,
    powMessagesPerDoubling: 1,
  });
  const member = await joinRoom(node.url(), room);
  t.after(() => member.close());
  // The member's price = 16 × 2^(n − 1) for its n posts in the last minute (its join is the
  // address's).
  await member.post('a'); // n = 1 → next price 16
  await member.post('b'); // n = 2 → next price 32
  await member.post('c'); // n = 3 → next price 64, the cap
  await member.post('d'); // n = 4 → 128 would exceed the cap
  await assert.rejects(member.post('e'), (error: SigmeshError) => {
    assert.equal(error.code, 'RATE_LIMITED');
    assert.ok(error.retryAfter !== undefined && error.retryAfter >= 1 && error.retryAfter <= 60);
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
