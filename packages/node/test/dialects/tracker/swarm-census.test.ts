import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PeerId } from '@sigmesh/protocol';
import { SwarmCensus } from '../../../src/dialects/tracker/swarm-census.js';

const m = (n: number): PeerId => n.toString(16).padStart(32, '0') as PeerId;

test('counts distinct tracker peers: one client on two nodes is one peer, a seeder anywhere seeds', () => {
  const census = new SwarmCensus();
  census.set(m(1), 'aa', false);
  census.set(m(2), 'aa', false); // the same client through another node
  census.set(m(3), undefined, false); // not identified yet: its own peer
  assert.deepEqual(census.counts(), { complete: 0, incomplete: 2 });
  census.set(m(2), 'aa', true);
  assert.deepEqual(census.counts(), { complete: 1, incomplete: 1 });
  census.set(m(3), 'bb', true);
  assert.deepEqual(census.counts(), { complete: 2, incomplete: 0 });
  census.delete(m(2));
  assert.deepEqual(census.counts(), { complete: 1, incomplete: 1 });
  census.delete(m(1));
  census.delete(m(3));
  assert.deepEqual(census.counts(), { complete: 0, incomplete: 0 });
  assert.equal(census.size, 0);
});

test('pick returns distinct eligible members, all of them in a small swarm, a bounded sample in a big one', () => {
  const census = new SwarmCensus();
  for (let i = 0; i < 6; i++) census.set(m(i), `p${i}`, false);
  const picked = census.pick(10, (member) => member !== m(0));
  assert.equal(picked.length, 5);
  assert.equal(new Set(picked).size, 5);
  const big = new SwarmCensus();
  for (let i = 0; i < 10_000; i++) big.set(m(i), `p${i}`, false);
  let checked = 0;
  const sample = big.pick(3, () => (checked++, true));
  assert.equal(sample.length, 3);
  assert.ok(checked <= 24, 'a big swarm costs what a small one does');
  for (let i = 0; i < 10_000; i += 2) big.delete(m(i));
  assert.equal(big.size, 5_000);
  assert.ok(big.pick(3, () => true).every((member) => big.has(member)));
});

test('pickByTier fills from the best tier first, at random within it, and leaves out what it is told to', () => {
  const census = new SwarmCensus();
  for (let i = 0; i < 12; i++) census.set(m(i), `p${i}`, false);
  const tier = (member: PeerId): number | undefined => {
    const i = census.peerOf(member)!.slice(1);
    return Number(i) < 3 ? 0 : Number(i) < 6 ? undefined : 1;
  };
  const firsts = new Set<PeerId>();
  for (let round = 0; round < 50; round++) {
    const picked = census.pickByTier(5, tier);
    assert.equal(picked.length, 5);
    assert.deepEqual(new Set(picked.slice(0, 3)), new Set([m(0), m(1), m(2)]), 'tier 0 first');
    for (const member of picked.slice(3)) assert.ok(Number(census.peerOf(member)!.slice(1)) >= 6);
    firsts.add(picked[0]!);
  }
  assert.ok(firsts.size > 1, 'random within a tier');
  assert.equal(census.pickByTier(20, tier).length, 9, 'every member it may pick, no more');
  assert.deepEqual(
    census.pickByTier(2, () => undefined),
    [],
  );
  // At most `caps[n]` from tier n.
  const capped = census.pickByTier(5, tier, [2, 1]);
  assert.equal(capped.length, 3);
  assert.ok(capped.slice(0, 2).every((member) => Number(census.peerOf(member)!.slice(1)) < 3));
  assert.ok(Number(census.peerOf(capped[2]!)!.slice(1)) >= 6);
  const later = (member: PeerId) => (Number(census.peerOf(member)!.slice(1)) >= 6 ? 2 : 1);
  for (let round = 0; round < 20; round++) {
    const picked = census.pickByTier(9, later, [undefined, undefined, 1]);
    assert.equal(picked.length, 7, 'tier 1 (six members), then one of tier 2');
    assert.ok(Number(census.peerOf(picked[6]!)!.slice(1)) >= 6);
  }
});
