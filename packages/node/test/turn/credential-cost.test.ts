import assert from 'node:assert/strict';
import { test } from 'node:test';
import { credentialPriceFactor } from '../../src/turn/credential-cost.js';
import { TURN_LIMIT_DEFAULTS } from '../../src/turn/turn-options.js';

const defaults = {
  allocationsPerCredential: TURN_LIMIT_DEFAULTS.maxAllocationsPerUsername,
  credentialTtlSeconds: 3600,
  maxLifetimeSeconds: TURN_LIMIT_DEFAULTS.maxLifetimeSeconds,
  maxAllocations: 1000,
};

test('a credential costs what it can hold, in 64 allocation-hours: 2 base prices by default', () => {
  assert.equal(credentialPriceFactor({ ...defaults, allocations: 0 }), 2);
  assert.equal(
    credentialPriceFactor({
      ...defaults,
      allocations: 0,
      allocationsPerCredential: 320,
    }),
    10,
  );
  assert.equal(
    credentialPriceFactor({
      ...defaults,
      allocations: 0,
      allocationsPerCredential: 1,
      credentialTtlSeconds: 60,
      maxLifetimeSeconds: 60,
    }),
    1,
    'never below the base price',
  );
});

test('above half full the price doubles steeply, 64× when full; unknown fill adds nothing', () => {
  const at = (allocations: number) => credentialPriceFactor({ ...defaults, allocations });
  assert.equal(at(500), 2);
  assert.ok(at(600) > at(500) && at(800) > at(600) && at(1000) > at(800));
  assert.equal(at(1000), 2 * 64);
  assert.equal(at(5000), 2 * 64, 'capped at full');
  assert.equal(
    credentialPriceFactor({ ...defaults, allocations: undefined, maxAllocations: undefined }),
    2,
  );
});
