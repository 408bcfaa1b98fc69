import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodeDefaults } from '../../src/index.js';
import { PowPricing } from '../../src/pow/pow-pricing.js';

/** Pricing on an injected clock (5 s into a 10 s counter slot) and a fixed load. */
function pricing(load: number, options: Partial<ConstructorParameters<typeof PowPricing>[0]> = {}) {
  let clock = 1_000_005_000;
  const source = { current: () => ({ cpu: load, mem: 0, smoothed: load }) };
  const config = {
    ...nodeDefaults,
    powBaseDifficulty: 100,
    powMaxDifficulty: 1 << 30,
    powFreeMessages: 10,
    powMessagesPerDoubling: 10,
    powLoadKnee: 0.5,
    powLoadDoublings: 10,
    ...options,
  };
  return {
    pricing: new PowPricing(config, source, () => clock),
    tick: (ms: number) => (clock += ms),
  };
}

const alice = { address: '203.0.113.7', member: 'a'.repeat(32) };
const bob = { address: '203.0.113.7', member: 'b'.repeat(32) };

test('idle node, quiet client: the base price', () => {
  assert.deepEqual(pricing(0).pricing.quote(alice), {
    price: 100,
    over: undefined,
    retryAfterMs: 0,
  });
});

test('the load factor is flat to the knee, then doubles `doublings` times up to full load', () => {
  const { pricing: p } = pricing(0);
  assert.equal(p.loadFactor(0.5), 1);
  assert.equal(p.loadFactor(0.75), 2 ** 5);
  assert.equal(p.loadFactor(1), 2 ** 10);
  assert.ok(pricing(0.9).pricing.quote(alice).price > pricing(0.6).pricing.quote(alice).price);
});

test("a member's rate doubles its own price past its allowance, not its neighbour's behind the same address", () => {
  const { pricing: p, tick } = pricing(0, { powFreeMessages: 2, powMessagesPerDoubling: 2 });
  for (let i = 0; i < 6; i++) p.record(alice);
  assert.equal(p.quote(alice).price, 100 * 2 ** 2);
  assert.equal(p.quote(bob).price, 100, 'another tab behind the same NAT pays the base price');
  assert.equal(p.quote({ address: alice.address }).price, 100, 'and so does its next join');
  tick(61_000);
  assert.equal(p.quote(alice).price, 100);
});

test('the address is a coarse cap: everyone behind it pays more only past the address allowance', () => {
  const { pricing: p } = pricing(0, {
    powAddressFreeMessages: 20,
    powAddressMessagesPerDoubling: 10,
  });
  // 30 requests from 30 members (each well inside its own allowance) behind one address.
  for (let i = 0; i < 30; i++)
    p.record({ address: alice.address, member: i.toString(16).padStart(32, '0') });
  assert.equal(p.quote(bob).price, 200, 'one doubling: 10 requests past the address allowance');
  assert.equal(p.quote({ address: alice.address }).price, 200, 'joins from there too');
  assert.equal(p.quote({ address: '198.51.100.1' }).price, 100, 'other addresses are not affected');
});

test('over the cap: "load" when the node is the reason, "rate" when the client is', () => {
  const { pricing: busy } = pricing(1, { powMaxDifficulty: 1000, loadSampleMs: 1000 });
  assert.deepEqual(busy.quote(alice), { price: 1000, over: 'load', retryAfterMs: 1000 });
  const { pricing: p } = pricing(0, {
    powFreeMessages: 0,
    powMessagesPerDoubling: 1,
    powMaxDifficulty: 1000,
  });
  for (let i = 0; i < 4; i++) p.record(alice);
  assert.equal(p.quote(alice).over, 'rate');
  assert.equal(p.quote(alice).price, 1000);
});

test('RATE_LIMITED says exactly when the request will be accepted: when enough counted requests leave the window', () => {
  // Price 100 × 2^n; cap 800 allows n ≤ 3. Requests: 2 now, 2 after 10 s, 1 after 20 s.
  const { pricing: p, tick } = pricing(0, {
    powFreeMessages: 0,
    powMessagesPerDoubling: 1,
    powMaxDifficulty: 800,
  });
  p.record(alice);
  p.record(alice);
  tick(10_000);
  p.record(alice);
  p.record(alice);
  tick(10_000);
  p.record(alice);
  const refused = p.quote(alice);
  assert.equal(refused.over, 'rate');
  // n = 5 must fall to 3: both requests of the first slot leave the minute. That slot started
  // 25 s ago (the clock began 5 s into it), so it leaves in 35 s.
  assert.equal(refused.retryAfterMs, 35_000);
  tick(34_999);
  assert.equal(p.quote(alice).over, 'rate', 'one millisecond early it is still refused');
  tick(1);
  assert.deepEqual(p.quote(alice), { price: 800, over: undefined, retryAfterMs: 0 });
});

test('with the default options a saturated node prices above the cap (so 503 NODE_OVERLOADED happens), a busy one below', () => {
  const at = (load: number) =>
    new PowPricing(
      nodeDefaults,
      { current: () => ({ cpu: load, mem: 0, smoothed: load }) },
      () => 0,
    ).basePrice();
  assert.equal(at(1).over, 'load');
  assert.equal(at(0.97).over, 'load');
  assert.equal(at(0.9).over, undefined);
  assert.ok(at(0.9).price > 100 * nodeDefaults.powBaseDifficulty);
  assert.equal(at(0.5).price, nodeDefaults.powBaseDifficulty);
});

test('a TURN credential costs its scope factor in plain requests, up to the cap, and never refuses alone', () => {
  const source = { current: () => ({ cpu: 0, mem: 0, smoothed: 0 }) };
  const config = { ...nodeDefaults, powBaseDifficulty: 100, powMaxDifficulty: 5_000 };
  let factor = 20;
  const prices = new PowPricing(
    config,
    source,
    () => 0,
    (scope) => (scope === 'token' ? factor : 1),
  );
  assert.equal(prices.quote(alice, 'room-post').price, 100);
  assert.equal(prices.quote(alice, 'token').price, 2_000);
  factor = 1_280; // the TURN server is full
  assert.deepEqual(prices.quote(alice, 'token'), {
    price: 5_000,
    over: undefined,
    retryAfterMs: 0,
  });
});
