import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { readEphemeralPortCount } from '../../src/resources/ephemeral-ports.js';
import { parseProcLimits, raiseFdLimit, readFdLimit } from '../../src/resources/fd-limit.js';

const procLimits = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

test('the open-file row of /proc/PID/limits is parsed, "unlimited" as Infinity', () => {
  assert.deepEqual(parseProcLimits(procLimits), { soft: 1024, hard: 524288 });
  assert.deepEqual(
    parseProcLimits('Max open files            unlimited            unlimited            files'),
    { soft: Infinity, hard: Infinity },
  );
  assert.equal(parseProcLimits('nothing here'), undefined);
  assert.equal(
    readFdLimit(() => {
      throw new Error('ENOENT');
    }),
    undefined,
  );
});

test('the ephemeral port range is counted', () => {
  assert.equal(
    readEphemeralPortCount(() => '32768\t60999\n'),
    28232,
  );
  assert.equal(
    readEphemeralPortCount(() => 'garbage'),
    undefined,
  );
});

test('raiseFdLimit does nothing when the soft limit is already the hard one', () => {
  const raise = raiseFdLimit({ readLimit: () => ({ soft: 4096, hard: 4096 }) });
  assert.equal(raise.outcome, 'unchanged');
});

test(
  'raiseFdLimit lifts a lowered soft limit back to the hard one with prlimit on its own pid',
  {
    skip:
      process.platform !== 'linux' || spawnSync('prlimit', ['--version']).status !== 0
        ? 'needs Linux and util-linux prlimit'
        : false,
  },
  () => {
    const before = readFdLimit();
    assert.ok(before !== undefined && before.hard > 512, 'a hard limit above 512 to lower from');
    const hard = String(before.hard);
    const lowered = spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=512:${hard}`]);
    assert.equal(lowered.status, 0, lowered.stderr.toString());
    assert.equal(readFdLimit()?.soft, 512);
    const raise = raiseFdLimit();
    assert.equal(raise.outcome, 'raised', raise.detail);
    assert.equal(raise.after?.soft, before.hard);
    assert.equal(readFdLimit()?.soft, before.hard);
  },
);
