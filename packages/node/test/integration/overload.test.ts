/**
 * Issue 11, finding 1 (second half): with the default pricing options a node whose own load is
 * near saturation answers 503 NODE_OVERLOADED (go elsewhere), as documented; below that it prices.
 * The load is injected, so the test does not depend on how busy the machine is.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveRoomHash } from '@sigmesh/protocol';
import { nodeDefaults } from '../../src/index.js';
import { rawRequest } from '../helpers/raw-http.js';
import { startTestNode } from '../helpers/test-node.js';

const room = deriveRoomHash('test-app', 'overload');

function fixedLoad(smoothed: number) {
  return { current: () => ({ cpu: smoothed, mem: 0, smoothed }) };
}

test('with default pricing a saturated node answers 503 NODE_OVERLOADED with Retry-After', async (t) => {
  const node = await startTestNode(t, {
    powBaseDifficulty: nodeDefaults.powBaseDifficulty,
    powFreeMessages: nodeDefaults.powFreeMessages,
    load: fixedLoad(1),
  });
  const response = await rawRequest(`${node.url()}/room/${room}`, {
    headers: { accept: 'application/json' },
  });
  assert.equal(response.status, 503);
  assert.equal((response.json() as { code: string }).code, 'NODE_OVERLOADED');
  assert.ok(Number(response.headers['retry-after']) >= 1);
});

test('with default pricing a busy but not saturated node still prices (401 with a challenge)', async (t) => {
  const node = await startTestNode(t, {
    powBaseDifficulty: nodeDefaults.powBaseDifficulty,
    powFreeMessages: nodeDefaults.powFreeMessages,
    load: fixedLoad(0.9),
  });
  const response = await rawRequest(`${node.url()}/room/${room}`, {
    headers: { accept: 'application/json' },
  });
  assert.equal(response.status, 401);
  const difficulty = Number(
    /difficulty="(\d+)"/.exec(String(response.headers['www-authenticate']))?.[1],
  );
  assert.ok(difficulty > 100 * nodeDefaults.powBaseDifficulty, `priced high: ${difficulty}`);
  assert.ok(difficulty <= nodeDefaults.powMaxDifficulty);
});
