import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PowSolver } from '../src/pow/pow-solver.js';
import { SharedSolver } from '../src/pow/shared-solver.js';

test('a shared solver stops when its last reference is closed, each reference counting once', async () => {
  let closed = 0;
  const solver: PowSolver = {
    pay: () => Promise.resolve('token'),
    hashesPerSecond: 7,
    close: () => {
      closed++;
    },
  };
  const shared = new SharedSolver(solver);
  const [a, b] = [shared.take(), shared.take()];
  assert.equal(
    await a.pay({ challenge: 'c', difficulty: 1, scope: 'room-join' }, new Uint8Array()),
    'token',
  );
  assert.equal(b.hashesPerSecond, 7);
  a.close();
  a.close();
  assert.equal(closed, 0, 'b still holds it');
  b.close();
  assert.equal(closed, 1);
});
