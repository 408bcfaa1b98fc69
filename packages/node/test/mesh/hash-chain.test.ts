import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { BeatChain, followsInChain } from '../../src/mesh/presence/hash-chain.js';

test('each chain value hashes to the one before it, down to the root', () => {
  const chain = new BeatChain(50);
  for (let i = 1; i <= 50; i++) {
    const previous = createHash('sha256').update(chain.value(i)).digest();
    assert.deepEqual(previous, chain.value(i - 1));
  }
  assert.deepEqual(chain.root, chain.value(0));
  assert.throws(() => chain.value(51), RangeError);
});

test('a later value is checked against any earlier one; anything else fails', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 40 }),
      fc.integer({ min: 1, max: 40 }),
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      (known, gap, seed) => {
        const chain = new BeatChain(80, seed);
        assert.ok(followsInChain(chain.value(known), known, chain.value(known + gap), known + gap));
        // The same value claimed at another index, an earlier value, a flipped bit: all refused.
        assert.ok(
          !followsInChain(chain.value(known), known, chain.value(known + gap), known + gap + 1),
        );
        assert.ok(
          !followsInChain(chain.value(known + gap), known + gap, chain.value(known), known),
        );
        const forged = Buffer.from(chain.value(known + gap));
        forged[gap % 32]! ^= 1;
        assert.ok(!followsInChain(chain.value(known), known, forged, known + gap));
      },
    ),
    { numRuns: 200 },
  );
});
