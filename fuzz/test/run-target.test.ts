import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fuzzTarget } from '../lib/fuzz-target.js';
import { runTarget } from '../lib/run-target.js';

// The oracles catch what they claim to catch: a parser that throws, one that hangs on some inputs,
// and a codec that does not round-trip — each reported with an input that shows it.

test('a parser that throws on some input is reported with that input, shrunk', async () => {
  const target = fuzzTarget({
    name: 'throws',
    covers: [],
    inputs: fc.string(),
    check(text: string) {
      if (text.includes('}')) JSON.parse(text);
    },
  });
  const run = await runTarget(target, { inputs: 10_000, seed: 1 });
  assert.ok(run.failure !== undefined);
  assert.match(run.failure.error, /SyntaxError/);
  assert.equal(run.failure.input, '["}"]');
});

test('an input slower than the bound on every re-run is reported as a hang', async () => {
  const target = fuzzTarget({
    name: 'hangs',
    covers: [],
    inputs: fc.nat(100),
    maxMsPerInput: 20,
    check(n: number) {
      const until = performance.now() + (n === 42 ? 40 : 0);
      while (performance.now() < until);
    },
  });
  const run = await runTarget(target, { inputs: 2_000, seed: 3 });
  assert.ok(run.failure !== undefined);
  assert.match(run.failure.error, /over 20 ms/);
  assert.equal(run.failure.input, '[42]');
});

test('a codec that does not round-trip is reported, and a correct one runs to the end', async () => {
  const encode = (n: number): string => n.toString(16);
  const lossy = fuzzTarget({
    name: 'lossy',
    covers: [],
    inputs: fc.nat(),
    check(n: number) {
      assert.equal(Number.parseInt(encode(n).slice(0, 4), 16), n);
    },
  });
  const failed = await runTarget(lossy, { inputs: 1_000, seed: 5 });
  assert.equal(failed.failure?.input, '[65536]');
  const exact = fuzzTarget({
    ...lossy,
    check: (n: number) => assert.equal(Number.parseInt(encode(n), 16), n),
  });
  const passed = await runTarget(exact, { inputs: 1_000, seed: 5, batch: 300 });
  assert.equal(passed.failure, undefined);
  assert.equal(passed.inputs, 1_000);
});
