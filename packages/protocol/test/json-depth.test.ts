import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonDepthExceeds } from '../src/json-depth.js';

test('depth counts levels of arrays and objects; scalars are 0', () => {
  assert.equal(jsonDepthExceeds('text', 0), false);
  assert.equal(jsonDepthExceeds([], 0), true);
  assert.equal(jsonDepthExceeds([], 1), false);
  assert.equal(jsonDepthExceeds({ a: [1, { b: [] }] }, 3), true);
  assert.equal(jsonDepthExceeds({ a: [1, { b: [] }] }, 4), false);
  assert.equal(jsonDepthExceeds([0, [0, [0]], { a: null }], 3), false);
});

test('a value nested far deeper than the stack allows is measured without overflowing it', () => {
  const deep: unknown = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  assert.throws(() => JSON.stringify(deep), RangeError);
  assert.equal(jsonDepthExceeds(deep, 64), true);
  assert.equal(jsonDepthExceeds(deep, 100_000), false);
  assert.equal(jsonDepthExceeds(JSON.parse(`[${'0,'.repeat(200_000)}0]`), 1), false);
});
