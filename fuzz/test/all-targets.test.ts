import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { allTargets } from '../targets/all-targets.js';

// Every target of the campaign also runs in the short tier (unit or integration), exactly once.
test('the short tier runs every target of the campaign exactly once', () => {
  const dir = new URL('.', import.meta.url);
  const calls = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.test.ts'))
    .flatMap((name) => [
      ...readFileSync(new URL(name, dir), 'utf8').matchAll(/^fuzzTest\((\w+)[,)]/gm),
    ])
    .map((match) => match[1]);
  const exported = allTargets.map((target) => target.name);
  assert.equal(new Set(exported).size, exported.length, 'target names are unique');
  assert.equal(calls.length, allTargets.length);
  assert.equal(new Set(calls).size, calls.length);
});
