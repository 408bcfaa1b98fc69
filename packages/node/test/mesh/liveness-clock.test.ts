import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LivenessClock } from '../../src/mesh/liveness-clock.js';

test('the liveness clock follows its base while the process runs, and leaves out its own stalls', (t) => {
  let base = 1_000_000;
  let real = 0;
  const clock = new LivenessClock(() => base, { tickMs: 100, stallMs: 1000, real: () => real });
  t.after(() => clock.stop());
  // Running: observed every 100 ms (by the timer or by readings), nothing is left out.
  for (let i = 0; i < 50; i++) {
    base += 100;
    real += 100;
    assert.equal(clock.now(), base);
  }
  // A fake base jumping ahead (a test's clock) is not a stall: only the real clock says that.
  base += 10_000;
  assert.equal(clock.now(), base);
  // The process does not run for 6 s: the base moves on, the liveness clock moves one tick.
  base += 6_000;
  real += 6_000;
  assert.equal(clock.now(), base - 5_900);
  assert.equal(clock.stalledMs, 5_900);
  // Gaps up to stallMs are ordinary scheduling, not stalls.
  base += 900;
  real += 900;
  assert.equal(clock.now(), base - 5_900);
});
