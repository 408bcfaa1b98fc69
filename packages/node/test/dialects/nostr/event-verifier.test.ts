import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { EventVerifier } from '../../../src/dialects/nostr/event-verifier.js';
import { newKey, topicEvent } from '../../helpers/nostr-events.js';

const hex = (length: number): fc.Arbitrary<string> =>
  fc
    .uint8Array({ minLength: length / 2, maxLength: length / 2 })
    .map((bytes) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(''));

test('a signed event passes; a changed content, signature or key does not', async () => {
  const verifier = new EventVerifier();
  await verifier.ready;
  assert.equal(verifier.loaded, true);
  const event = topicEvent(newKey(), 'topic', JSON.stringify({ peerId: 'x' }));
  assert.equal(verifier.idMatches(event), true);
  assert.equal(verifier.signatureValid(event), true);
  const changed = { ...event, content: 'other' };
  assert.equal(verifier.idMatches(changed), false);
  assert.equal(verifier.signatureValid(changed), false);
  const other = topicEvent(newKey(), 'topic', 'other');
  assert.equal(verifier.signatureValid({ ...event, sig: other.sig }), false);
  assert.equal(verifier.signatureValid({ ...event, pubkey: other.pubkey }), false);
});

test('random signatures and keys never verify and never throw', async () => {
  const verifier = new EventVerifier();
  await verifier.ready;
  const event = topicEvent(newKey(), 'topic', 'content');
  fc.assert(
    fc.property(hex(128), hex(64), (sig, pubkey) => {
      assert.equal(verifier.signatureValid({ ...event, sig }), false);
      assert.equal(verifier.signatureValid({ ...event, pubkey, sig }), false);
    }),
    { numRuns: 200 },
  );
});
