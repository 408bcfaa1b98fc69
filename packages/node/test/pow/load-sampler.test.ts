import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoadSampler } from '../../src/pow/load-sampler.js';

function emfile(): Error {
  return Object.assign(new Error('EMFILE: too many open files, uv_resident_set_memory'), {
    code: 'EMFILE',
  });
}

test('a sample never throws when memory cannot be read (no free descriptor): the last RSS reading stands in', () => {
  const limit = 1_000_000_000;
  let fail = false;
  const sampler = new LoadSampler({
    intervalMs: 1000,
    memoryLimitBytes: limit,
    memoryUsage: () => {
      if (fail) throw emfile();
      return { heapUsed: 1, rss: limit * 0.8 };
    },
  });
  sampler.sample();
  assert.ok(sampler.current().mem >= 0.8 - 1e-9);
  fail = true;
  assert.doesNotThrow(() => sampler.sample());
  assert.ok(sampler.current().mem >= 0.8 - 1e-9, 'memory load is not forgotten while unreadable');
  assert.ok(sampler.current().smoothed > 0);
});
