import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ThrottledWarning } from '../../src/log/throttled-warning.js';

test('one line per interval, reporting how many occurrences were held back', () => {
  let now = 0;
  const warning = new ThrottledWarning(60_000, () => now);
  assert.equal(warning.occurred(), 0);
  for (let i = 0; i < 5; i++) assert.equal(warning.occurred(), undefined);
  now = 59_999;
  assert.equal(warning.occurred(), undefined);
  now = 60_000;
  assert.equal(warning.occurred(), 6);
});
