import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { createSigner, rawPublicKey } from '../../src/discovery/ed25519-keys.js';
import { verifyEd25519, verifyingKey } from '../../src/identity/ed25519-verify.js';

test('KeyObjects and raw keys give the same signer', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  const seed = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32));
  const fromObjects = createSigner({ publicKey, privateKey });
  const fromRaw = createSigner({ publicKey: raw, privateKey: seed });
  assert.equal(fromObjects.id, fromRaw.id);
  assert.match(fromObjects.id, /^[0-9a-f]{64}$/);
  const data = new TextEncoder().encode('hello');
  // ed25519 is deterministic: both signers make the same signature.
  assert.deepEqual(fromObjects.sign(data), fromRaw.sign(data));
  assert.ok(verifyEd25519(raw, data, fromRaw.sign(data)));
  assert.deepEqual(rawPublicKey(verifyingKey(raw)!), raw);
});

test('a public key that does not match the private key is refused', () => {
  const a = generateKeyPairSync('ed25519');
  const b = generateKeyPairSync('ed25519');
  assert.throws(
    () => createSigner({ publicKey: b.publicKey, privateKey: a.privateKey }),
    /does not belong/,
  );
});
