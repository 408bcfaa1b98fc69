import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unknownAttributes } from '../../src/turn/attributes/unknown-attributes.js';
import { unknownRequiredTypes } from '../../src/turn/attributes/known-attributes.js';
import { readAttribute } from '../../src/turn/attribute-reader.js';
import { encodeStunMessage, StunMethod } from '../../src/turn/stun-message.js';
import { setup } from './turn-core-setup.js';
import { errorOf } from './turn-test-client.js';

test('unknown comprehension-required types: each once, in order; optional and known ones are not', () => {
  assert.deepEqual(
    unknownRequiredTypes([0x0100, 0x0006, 0x8100, 0x0200, 0x0100, 0x7fff]),
    [0x0100, 0x0200, 0x7fff],
  );
});

// Fuzzing regression (turn-core target): a datagram of 16,000 zero-length attributes of distinct
// unknown types made the deduplication quadratic, 100 ms of event loop per datagram — and Send
// indications reach it without the per-source request limit.
test('16,000 distinct unknown attributes: one 420 listing each once, in linear time', () => {
  const { core, actions, tuple } = setup();
  const attributes = Array.from({ length: 16_000 }, (_, i) => ({
    type: 0x0100 + i,
    value: new Uint8Array(0),
  }));
  const transactionId = new Uint8Array(12);
  core.handleStun(
    tuple,
    encodeStunMessage({ method: StunMethod.allocate, cls: 'request', transactionId, attributes }),
  );
  const answer = actions.lastStun();
  assert.equal(errorOf(answer), 420);
  const listed = readAttribute(answer, unknownAttributes);
  assert.ok(listed?.ok === true);
  assert.deepEqual(
    listed.value,
    attributes.map((a) => a.type),
  );

  // The same deduplication over every 16-bit type: quadratic took seconds, linear takes ms.
  const every = Array.from({ length: 0x8000 }, (_, i) => i);
  const started = performance.now();
  unknownRequiredTypes(Array.from({ length: 8 }, () => every).flat());
  assert.ok(performance.now() - started < 500, `${performance.now() - started} ms`);
});
