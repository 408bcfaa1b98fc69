import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SeenIds } from '../../src/mesh/seen-ids.js';

test('an id is a duplicate while remembered, and memory stays under the capacity', () => {
  const seen = new SeenIds(100);
  assert.equal(seen.add('a'), true);
  assert.equal(seen.add('a'), false);
  for (let i = 0; i < 49; i++) seen.add(`x${i}`);
  assert.equal(seen.add('a'), false, 'remembered for at least capacity / 2 further ids');
  for (let i = 0; i < 1000; i++) seen.add(`y${i}`);
  assert.ok(seen.size <= 100);
  assert.equal(seen.add('a'), true, 'forgotten long after');
});

test('adding stays cheap once full (no degradation from evictions)', () => {
  const seen = new SeenIds(20_000);
  for (let i = 0; i < 20_000; i++) seen.add(`warm${i}`);
  const started = process.hrtime.bigint();
  for (let i = 0; i < 200_000; i++) seen.add(`id${i}`);
  const perAdd = Number(process.hrtime.bigint() - started) / 200_000;
  // A behaviour bound, not a benchmark: the old single-Set eviction took 10–100 µs per add here.
  assert.ok(perAdd < 5_000, `${perAdd.toFixed(0)} ns per add`);
});
