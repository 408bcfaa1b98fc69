import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDhtBootstrap, parseDhtBootstrap } from '../../src/discovery/bootstrap-option.js';

test('mainline and none are keywords', () => {
  assert.deepEqual(parseDhtBootstrap('mainline'), { ok: true, value: 'mainline' });
  assert.deepEqual(parseDhtBootstrap(' none '), { ok: true, value: 'none' });
});

test('HOST:PORT lists parse to addresses, host names included', () => {
  assert.deepEqual(parseDhtBootstrap('127.0.0.1:6881, router.example.org:6882'), {
    ok: true,
    value: [
      { host: '127.0.0.1', port: 6881 },
      { host: 'router.example.org', port: 6882 },
    ],
  });
});

test('every bad entry is reported at once with its own reason', () => {
  const result = parseDhtBootstrap('127.0.0.1,,a:0,b:65536,[::1]:6881,-bad-:1,ok:1');
  assert.equal(result.ok, false);
  assert.ok(!result.ok);
  assert.deepEqual(
    result.problems.map((problem) => [problem.entry, problem.reason]),
    [
      ['127.0.0.1', 'missing-port'],
      ['', 'empty'],
      ['a:0', 'bad-port'],
      ['b:65536', 'bad-port'],
      ['[::1]:6881', 'bad-host'],
      ['-bad-:1', 'bad-host'],
    ],
  );
});

test('formatDhtBootstrap is the inverse of parsing', () => {
  for (const text of ['mainline', 'none', '127.0.0.1:1,10.0.0.2:65535']) {
    const parsed = parseDhtBootstrap(text);
    assert.ok(parsed.ok);
    assert.equal(formatDhtBootstrap(parsed.value), text);
  }
});
