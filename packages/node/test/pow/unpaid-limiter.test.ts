import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PricedLoad } from '../../src/pow/priced-load.js';
import { RefusedWork } from '../../src/pow/refused-work.js';
import { UnpaidLimiter } from '../../src/pow/unpaid-limiter.js';

test('the unpaid allowance is a burst, then a rate; Retry-After is when the next request passes', () => {
  let clock = 0;
  const limiter = new UnpaidLimiter({ perSecond: 4, burst: 3, maxClients: 10, now: () => clock });
  for (let i = 0; i < 3; i++) assert.deepEqual(limiter.take('a'), { ok: true });
  const refused = limiter.take('a');
  assert.deepEqual(refused, { ok: false, retryAfterMs: 250 }, 'one token every 250 ms');
  assert.deepEqual(limiter.take('b'), { ok: true }, 'other addresses have their own bucket');
  clock += 249;
  assert.equal(limiter.take('a').ok, false, 'refused a millisecond early');
  clock += 1;
  assert.equal(limiter.take('a').ok, true, 'accepted when it said');
  clock += 10_000;
  for (let i = 0; i < 3; i++) assert.equal(limiter.take('a').ok, true, 'the burst refills');
  assert.equal(limiter.take('a').ok, false, 'but only up to the burst');
});

test('the unpaid limiter is bounded: the least recently seen address is forgotten first', () => {
  const limiter = new UnpaidLimiter({ perSecond: 1, burst: 1, maxClients: 2, now: () => 0 });
  limiter.take('a');
  limiter.take('b');
  limiter.take('a'); // refused, but 'a' is now the most recent
  limiter.take('c'); // evicts 'b'
  assert.equal(limiter.size, 2);
  assert.equal(limiter.take('b').ok, true, "'b' starts over with a full bucket");
  assert.equal(limiter.take('a').ok, true, "so does 'a', evicted by 'b'");
});

test('refused work is smoothed like the load and subtracted from the load the price follows', () => {
  let clock = 0;
  const refused = new RefusedWork({ intervalMs: 1000, now: () => clock });
  const load = new PricedLoad({ current: () => ({ cpu: 0.9, mem: 0.1, smoothed: 0.9 }) }, refused);
  assert.equal(load.current().smoothed, 0.9, 'nothing refused: the whole load counts');
  refused.add(800); // 80 % of the first second went into refusals
  clock = 1000;
  assert.ok(Math.abs(refused.share() - 0.24) < 1e-9, 'EWMA α = 0.3 of 0.8');
  assert.ok(Math.abs(load.current().smoothed - 0.66) < 1e-9);
  for (let second = 2; second <= 30; second++) {
    refused.add(800);
    clock = second * 1000;
  }
  assert.ok(Math.abs(refused.share() - 0.8) < 0.001, 'a steady flood converges to its share');
  assert.ok(Math.abs(load.current().smoothed - 0.1) < 0.001, 'memory stays the floor');
  clock += 30_000;
  assert.ok(refused.share() < 0.001, 'and fades once the flood stops');
});
