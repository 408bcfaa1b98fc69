import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { holdMemoryTrim, memoryTrimStats, trimMemoryNow } from '../../src/resources/memory-trim.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MiB = 1 << 20;

// These machines run glibc and install koffi (an optional dependency): trimming must work here.
test('trimming is available on this machine (glibc, koffi installed)', () => {
  assert.equal(memoryTrimStats().available, true);
});

test('memory freed between live allocations goes back to the system only when trimmed', () => {
  // 64 MiB in 16 KiB buffers (malloc'd, under the mmap threshold), then 15 of every 16 freed: the
  // holes sit between live buffers, so glibc keeps them.
  let held = Array.from({ length: 4096 }, () => Buffer.alloc(16384, 1));
  held = held.filter((_, i) => i % 16 === 0);
  gc();
  gc();
  const freed = process.memoryUsage.rss();
  const before = memoryTrimStats();
  assert.equal(trimMemoryNow(), true);
  const trimmed = process.memoryUsage.rss();
  const after = memoryTrimStats();
  assert.ok(freed - trimmed > 32 * MiB, `RSS ${freed / MiB} → ${trimmed / MiB} MiB`);
  assert.equal(after.trims, before.trims + 1);
  assert.ok(after.releasedBytes - before.releasedBytes > 32 * MiB);
  assert.ok(after.seconds > before.seconds);
  assert.equal(held.length, 256);
});

test('holders: trims on the shortest interval asked for, none after the last release, none for 0', async () => {
  const never = holdMemoryTrim(0);
  assert.equal(never.available, true);
  const start = memoryTrimStats().trims;
  await sleep(1_300);
  assert.equal(memoryTrimStats().trims, start, 'an interval of 0 trims nothing');

  const slow = holdMemoryTrim(3_600);
  const fast = holdMemoryTrim(1);
  await sleep(2_500);
  const trimmed = memoryTrimStats().trims - start;
  assert.ok(trimmed >= 1 && trimmed <= 3, `${trimmed} trims in 2.5 s at a 1 s interval`);

  fast.release();
  const afterFast = memoryTrimStats().trims;
  await sleep(1_500);
  assert.equal(memoryTrimStats().trims, afterFast, 'back to the 1-hour interval');
  slow.release();
  never.release();
  fast.release(); // twice: no effect
});
