import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitTrend } from '../../soak/memory-trend.js';
import { LatencyHistogram } from '../../soak/latency-histogram.js';

const MiB = 2 ** 20;

test('a steady climb is fitted in MiB/min; a sawtooth around a level is near zero', () => {
  const climb = Array.from({ length: 30 }, (_, i) => ({
    at: i * 10_000,
    bytes: (100 + i / 6) * MiB,
  }));
  assert.equal(fitTrend(climb)?.slopeMiBPerMin, 1);
  const saw = Array.from({ length: 60 }, (_, i) => ({
    at: i * 10_000,
    bytes: (100 + (i % 6)) * MiB,
  }));
  const trend = fitTrend(saw)!;
  // 5 MiB up and down every minute for ten minutes: the fit sees a tenth of one tooth.
  assert.ok(Math.abs(trend.slopeMiBPerMin) < 0.1, String(trend.slopeMiBPerMin));
  assert.ok(trend.slopeStdErrMiBPerMin > 0);
  assert.equal(fitTrend(climb.slice(0, 2)), undefined);
});

test('latency percentiles from buckets are within a bucket of the exact ones, and merge', () => {
  const a = new LatencyHistogram();
  const b = new LatencyHistogram();
  for (let i = 1; i <= 1000; i++) (i % 2 === 0 ? a : b).add(i / 10); // 0.1 … 100 ms
  a.merge(b.toJSON());
  assert.equal(a.count, 1000);
  assert.ok(Math.abs(a.percentile(50) - 50) <= 0.05 + 1e-9, String(a.percentile(50)));
  assert.ok(Math.abs(a.percentile(99) - 99) <= 1, String(a.percentile(99)));
  assert.equal(a.max, 100);
});
