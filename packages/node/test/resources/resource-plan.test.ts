import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  planResources,
  RESOURCE_CEILINGS,
  type ResourcePlanInput,
} from '../../src/resources/resource-plan.js';

const auto: ResourcePlanInput = {
  maxConnections: 0,
  fdReserve: 0,
  turnMaxAllocations: 0,
  turnMaxTcpConnections: 0,
  fdLimit: 20_000,
  relayPorts: 28_232,
  builtInTurn: true,
  meshMaxLinks: 64,
};

test('a roomy limit gives the ceilings, and nothing to warn about', () => {
  const plan = planResources(auto);
  assert.equal(plan.fdReserve, 256 + 64);
  assert.equal(plan.maxConnections, RESOURCE_CEILINGS.maxConnections);
  assert.equal(plan.turnMaxAllocations, RESOURCE_CEILINGS.turnMaxAllocations);
  assert.equal(plan.turnMaxTcpConnections, RESOURCE_CEILINGS.turnMaxTcpConnections);
  assert.ok(plan.fdNeeded <= 20_000);
  assert.deepEqual(plan.shortfalls, []);
});

test('a low limit shrinks every derived cap so that together they fit, and says so once', () => {
  for (const fdLimit of [256, 1024, 4096]) {
    const plan = planResources({ ...auto, fdLimit });
    const usable = fdLimit - plan.fdReserve;
    assert.ok(plan.fdNeeded <= fdLimit, `${fdLimit}: needs ${plan.fdNeeded}`);
    // Shared in proportion to the ceilings 10000 : 1000 : 1000.
    assert.equal(plan.maxConnections, Math.floor((10_000 * usable) / 12_000));
    assert.equal(plan.turnMaxAllocations, Math.floor((1000 * usable) / 12_000));
    assert.equal(plan.turnMaxTcpConnections, plan.turnMaxAllocations);
    assert.equal(plan.shortfalls.length, 1);
    assert.match(plan.shortfalls[0]!, new RegExp(`open-file limit ${fdLimit} is below`));
    assert.match(plan.shortfalls[0]!, /LimitNOFILE/);
  }
});

test('without a built-in TURN server HTTP gets every usable descriptor', () => {
  const plan = planResources({ ...auto, fdLimit: 1024, builtInTurn: false });
  assert.equal(plan.maxConnections, 1024 - plan.fdReserve);
  assert.equal(plan.turnMaxAllocations, 0);
  assert.equal(plan.turnMaxTcpConnections, 0);
});

test('explicit caps are kept, and a warning names what they need when the limit is lower', () => {
  const fits = planResources({ ...auto, fdLimit: 1024, maxConnections: 500, fdReserve: 100 });
  assert.equal(fits.maxConnections, 500);
  assert.equal(fits.fdReserve, 100);
  assert.equal(fits.turnMaxAllocations, 212, 'the derived caps share the rest');
  const plan = planResources({ ...auto, fdLimit: 1024, maxConnections: 5000, fdReserve: 100 });
  assert.equal(plan.maxConnections, 5000);
  assert.ok(plan.fdNeeded > 1024);
  assert.match(plan.shortfalls[0]!, new RegExp(`need ${plan.fdNeeded} file descriptors`));
});

test('allocations stay within half the ephemeral ports; an explicit cap above that is reported', () => {
  assert.equal(planResources({ ...auto, relayPorts: 1000 }).turnMaxAllocations, 500);
  const explicit = planResources({ ...auto, relayPorts: 1000, turnMaxAllocations: 900 });
  assert.equal(explicit.turnMaxAllocations, 900);
  assert.ok(explicit.shortfalls.some((s) => /ephemeral ports/.test(s)));
});

test('an unknown limit (not Linux) gives the ceilings and no warning', () => {
  const plan = planResources({ ...auto, fdLimit: undefined, relayPorts: undefined });
  assert.equal(plan.maxConnections, RESOURCE_CEILINGS.maxConnections);
  assert.equal(plan.fdLimit, undefined);
  assert.deepEqual(plan.shortfalls, []);
});
