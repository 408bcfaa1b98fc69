import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientKey } from '../../src/pow/client-key.js';
import { MessageCounter } from '../../src/pow/message-counter.js';
import { ReplaySet } from '../../src/pow/replay-set.js';

test('the replay set remembers a key for at least one generation and forgets after two', () => {
  let clock = 0;
  const set = new ReplaySet({ generationMs: 1000, maxPerGeneration: 10, now: () => clock });
  assert.equal(set.add('a'), 'added');
  assert.equal(set.add('a'), 'replayed');
  clock = 1500; // rotated once: 'a' is in the previous generation
  assert.equal(set.add('a'), 'replayed');
  clock = 3600; // two generations later: gone
  assert.equal(set.add('a'), 'added');
});

test('the replay set is bounded: a full generation refuses instead of growing', () => {
  const set = new ReplaySet({ generationMs: 1000, maxPerGeneration: 3, now: () => 0 });
  for (const key of ['a', 'b', 'c']) assert.equal(set.add(key), 'added');
  assert.equal(set.add('d'), 'full');
  // A key it holds is still a replay, full or not (a replayed proof is not told to retry).
  assert.equal(set.add('b'), 'replayed');
  assert.equal(set.size, 3);
});

test('the message counter slides over one minute and forgets the least recently active client first', () => {
  let clock = 0;
  const counter = new MessageCounter({ maxClients: 2, now: () => clock });
  counter.record('a');
  clock = 30_000;
  counter.record('a');
  counter.record('b');
  assert.equal(counter.count('a'), 2);
  clock = 65_000; // the first 'a' left the window
  assert.equal(counter.count('a'), 1);
  counter.record('a'); // 'a' is now the most recent; 'b' is evicted by 'c'
  counter.record('c');
  assert.equal(counter.size, 2);
  assert.equal(counter.count('b'), 0);
  assert.equal(counter.count('a'), 2);
});

test('a client busy within one slot keeps the place of its first request there', () => {
  let clock = 0;
  const counter = new MessageCounter({ maxClients: 2, now: () => clock });
  counter.record('a');
  counter.record('b');
  counter.record('a'); // same slot: 'a' stays older than 'b'
  counter.record('c'); // evicts 'a'
  assert.equal(counter.count('a'), 0);
  assert.equal(counter.count('b'), 1);
  clock = 10_000; // next slot: a request moves 'b' after 'c'
  counter.record('b');
  counter.record('d'); // evicts 'c'
  assert.equal(counter.count('c'), 0);
  assert.equal(counter.count('b'), 2);
});

test('client keys: IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 by /64', () => {
  assert.equal(clientKey('203.0.113.7'), '203.0.113.7');
  assert.equal(clientKey('::ffff:203.0.113.7'), '203.0.113.7');
  assert.equal(clientKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(clientKey('2001:db8:1:2::99'), clientKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'));
  assert.equal(clientKey('::1'), '0:0:0:0::/64');
});
