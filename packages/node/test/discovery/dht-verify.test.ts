import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { test } from 'node:test';
import { verifyForDht } from '../../src/discovery/dht-client.js';
import { rawPublicKey } from '../../src/discovery/ed25519-keys.js';

test('a verified item is taken again, and its signature with any other key or message is not', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const other = rawPublicKey(generateKeyPairSync('ed25519').publicKey);
  const key = Buffer.from(rawPublicKey(publicKey));
  const message = Buffer.from('3:seqi1e1:v5:hello');
  const signature = sign(null, message, privateKey);
  assert.equal(verifyForDht(signature, message, key), true);
  assert.equal(verifyForDht(signature, message, key), true, 'again (from the cache)');
  assert.equal(verifyForDht(signature, Buffer.from('3:seqi2e1:v5:hello'), key), false);
  assert.equal(verifyForDht(signature, message, Buffer.from(other)), false);
  const flipped = Buffer.from(signature);
  flipped[10]! ^= 1;
  assert.equal(verifyForDht(flipped, message, key), false);
  assert.equal(verifyForDht(signature.subarray(0, 63), message, key), false);
  // The cache keeps its own copies: a caller reusing its buffers cannot change an entry.
  const reused = Buffer.from(message);
  assert.equal(verifyForDht(signature, reused, key), true);
  reused[0] = 0x34;
  assert.equal(verifyForDht(signature, reused, key), false);
});
