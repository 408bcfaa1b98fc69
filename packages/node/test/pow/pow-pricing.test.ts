import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageCounter } from '../../src/pow/message-counter.js';
import { PowPricing } from '../../src/pow/pow-pricing.js';

function pricing(
  load: number,
  options: { free?: number; perDoubling?: number; cap?: number } = {},
) {
  let clock = 1_000_000;
  const counter = new MessageCounter({ maxClients: 10, now: () => clock });
  const source = { current: () => ({ cpu: load, mem: 0, smoothed: load }) };
  const config = {
    powBaseDifficulty: 100,
    powMaxDifficulty: options.cap ?? 1 << 30,
    powFreeMessages: options.free ?? 10,
    powMessagesPerDoubling: options.perDoubling ?? 10,
    powLoadKnee: 0.5,
    powLoadDoublings: 10,
  };
  return {
    pricing: new PowPricing(config, source, counter),
    counter,
    tick: (ms: number) => (clock += ms),
  };
}

test('idle node, quiet client: the base price', () => {
  assert.deepEqual(pricing(0).pricing.quote('a'), { price: 100, over: undefined });
});

test('the load factor is flat to the knee, then doubles `doublings` times up to full load', () => {
  const { pricing: p } = pricing(0);
  assert.equal(p.loadFactor(0.5), 1);
  assert.equal(p.loadFactor(0.75), 2 ** 5);
  assert.equal(p.loadFactor(1), 2 ** 10);
  assert.ok(pricing(0.9).pricing.quote('a').price > pricing(0.6).pricing.quote('a').price);
});

test('the rate factor doubles every perDoubling requests past the free allowance, and decays after a minute', () => {
  const { pricing: p, counter, tick } = pricing(0, { free: 2, perDoubling: 2 });
  for (let i = 0; i < 6; i++) counter.record('a');
  assert.equal(p.quote('a').price, 100 * 2 ** 2);
  assert.equal(p.quote('b').price, 100);
  tick(61_000);
  assert.equal(p.quote('a').price, 100);
});

test('over the cap: "load" when the node is the reason, "rate" when the client is', () => {
  const { pricing: busy } = pricing(1, { cap: 1000 });
  assert.deepEqual(busy.quote('a'), { price: 1000, over: 'load' });
  const { pricing: p, counter } = pricing(0, { free: 0, perDoubling: 1, cap: 1000 });
  for (let i = 0; i < 4; i++) counter.record('a');
  assert.deepEqual(p.quote('a'), { price: 1000, over: 'rate' });
});
