import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RandomPool } from '../../src/random-pool.js';

test('the random pool hands out every byte once, across refills, by take, fill and hex', () => {
  const pool = new RandomPool();
  const seen = new Set<string>();
  // 4,096 bytes a pool: 2,000 draws of 8 bytes cross several refills.
  for (let draw = 0; draw < 2000; draw++) {
    const kind = draw % 3;
    let text: string;
    if (kind === 0) text = pool.take(8).toString('hex');
    else if (kind === 1) {
      const target = new Uint8Array(8);
      pool.fill(target);
      text = Buffer.from(target).toString('hex');
    } else text = pool.hex(8);
    assert.equal(text.length, 16);
    assert.ok(!seen.has(text), `draw ${draw} repeated an earlier one`);
    seen.add(text);
  }
  // Larger than a pool: still random, still the asked size.
  const big = new Uint8Array(5000);
  pool.fill(big);
  assert.ok(big.some((byte) => byte !== 0));
});
