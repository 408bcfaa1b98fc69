import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromBase64url, toBase64url, type SigmeshError } from '@sigmesh/protocol';
import { fingerprintOf } from '../../src/identity/fingerprint.js';
import { Identity } from '../../src/identity/identity.js';
import {
  importIdentity,
  loadOrCreateIdentity,
} from '../../src/identity/load-or-create-identity.js';
import { memoryIdentityStore } from '../../src/identity/memory-identity-store.js';
import { verifySignature } from '../../src/identity/verify-signature.js';

const MESSAGE = new TextEncoder().encode('sigmesh: a lasting identity');

function create(exportable = false): Promise<Identity> {
  return loadOrCreateIdentity({ store: memoryIdentityStore(), exportable });
}

function code(error: unknown): string | undefined {
  return (error as Partial<SigmeshError>).code;
}

test('an identity is an Ed25519 key: 43-character public key, its id and fingerprint', async () => {
  const identity = await create();
  assert.equal(identity.publicKey.length, 43);
  assert.equal(fromBase64url(identity.publicKey)?.length, 32);
  const digest = new Uint8Array(
    await crypto.subtle.digest(
      'SHA-256',
      fromBase64url(identity.publicKey) as Uint8Array<ArrayBuffer>,
    ),
  );
  assert.equal(identity.id, Buffer.from(digest.subarray(0, 16)).toString('hex'));
  assert.match(identity.fingerprint, /^[A-Z2-7]{4}(-[A-Z2-7]{4}){5}$/);
  // The fingerprint is the first 120 bits of the same digest, in base32.
  const bits = [...digest.subarray(0, 15)].map((byte) => byte.toString(2).padStart(8, '0'));
  const expected = (bits.join('').match(/.{5}/g) ?? [])
    .map((five) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[parseInt(five, 2)])
    .join('')
    .replace(/(.{4})(?!$)/g, '$1-');
  assert.equal(identity.fingerprint, expected);
  assert.equal(identity.exportable, false);
});

test('a signature verifies with its key and message, and nothing else', async () => {
  const identity = await create();
  const signature = await identity.sign(MESSAGE);
  assert.equal(signature.length, 64);
  assert.equal(await verifySignature(identity.publicKey, MESSAGE, signature), true);

  const changed = Uint8Array.from(MESSAGE, (byte, i) => (i === 3 ? byte ^ 1 : byte));
  assert.equal(await verifySignature(identity.publicKey, changed, signature), false, 'message');
  const bent = Uint8Array.from(signature, (byte, i) => (i === 40 ? byte ^ 0x80 : byte));
  assert.equal(await verifySignature(identity.publicKey, MESSAGE, bent), false, 'signature');
  const other = await create();
  assert.equal(await verifySignature(other.publicKey, MESSAGE, signature), false, 'wrong key');
});

test('verifySignature answers false, never throws, for garbage keys and signatures', async () => {
  const identity = await create();
  const signature = await identity.sign(MESSAGE);
  const cases: Array<[string, unknown, unknown]> = [
    ['not base64url', '!'.repeat(43), signature],
    ['empty key', '', signature],
    ['a P-256 length key', 'A'.repeat(87), signature],
    ['31 bytes', toBase64url(new Uint8Array(31)), signature],
    ['not a point', toBase64url(new Uint8Array(32).fill(0xff)), signature],
    ['short signature', identity.publicKey, signature.subarray(0, 63)],
    ['empty signature', identity.publicKey, new Uint8Array()],
    ['not a key', 42, signature],
    ['not bytes', identity.publicKey, 'signature'],
  ];
  for (const [what, key, sig] of cases)
    assert.equal(await verifySignature(key as string, MESSAGE, sig as Uint8Array), false, what);
});

test('verifySignature refuses a small-order key, under which anyone can sign', async () => {
  // The identity point (y = 1): with R = it and S = 0, WebCrypto's Ed25519 here takes the
  // "signature" for any message.
  const identityPoint = new Uint8Array(32);
  identityPoint[0] = 1;
  const forged = new Uint8Array(64);
  forged.set(identityPoint);
  const key = await crypto.subtle.importKey('raw', identityPoint, 'Ed25519', false, ['verify']);
  assert.equal(await crypto.subtle.verify('Ed25519', key, forged, MESSAGE), true);
  assert.equal(await verifySignature(toBase64url(identityPoint), MESSAGE, forged), false);
});

test('fingerprints are stable for a key and differ between keys', async () => {
  const identity = await create();
  const raw = fromBase64url(identity.publicKey)!;
  assert.equal(await fingerprintOf(raw), identity.fingerprint);
  assert.equal(await fingerprintOf(raw.slice()), identity.fingerprint);
  const seen = new Set([identity.fingerprint]);
  for (let i = 0; i < 20; i++) seen.add((await create()).fingerprint);
  assert.equal(seen.size, 21);
});

test('the same store gives the same identity back; clear() makes room for a new one', async () => {
  const store = memoryIdentityStore();
  const first = await loadOrCreateIdentity({ store });
  const again = await loadOrCreateIdentity({ store });
  assert.equal(again.id, first.id);
  assert.equal(again.fingerprint, first.fingerprint);
  // The reloaded one signs as the first.
  assert.equal(await verifySignature(first.publicKey, MESSAGE, await again.sign(MESSAGE)), true);
  await store.clear();
  assert.notEqual((await loadOrCreateIdentity({ store })).id, first.id);
});

test('a non-exportable identity refuses export and its private key is not extractable', async () => {
  const store = memoryIdentityStore();
  const identity = await loadOrCreateIdentity({ store });
  await assert.rejects(identity.export(), (error) => code(error) === 'IDENTITY_NOT_EXPORTABLE');
  const keys = await store.load();
  assert.ok(keys !== undefined);
  assert.equal(keys.privateKey.extractable, false);
  await assert.rejects(crypto.subtle.exportKey('pkcs8', keys.privateKey));
});

test('export and import: the same id, and signatures of either verify with the other key', async () => {
  const original = await create(true);
  const text = await original.export();
  assert.match(text, /^sigmesh-identity:v1:[A-Za-z0-9_-]+$/);
  const store = memoryIdentityStore();
  const copy = await importIdentity(`  ${text}\n`, { store });
  assert.equal(copy.id, original.id);
  assert.equal(copy.publicKey, original.publicKey);
  assert.equal(copy.fingerprint, original.fingerprint);
  assert.equal(await verifySignature(original.publicKey, MESSAGE, await copy.sign(MESSAGE)), true);
  assert.equal(await verifySignature(copy.publicKey, MESSAGE, await original.sign(MESSAGE)), true);
  // Saved: the next page load finds it. Imported without exportable, it does not export again.
  assert.equal((await loadOrCreateIdentity({ store })).id, original.id);
  await assert.rejects(copy.export(), (error) => code(error) === 'IDENTITY_NOT_EXPORTABLE');
  const again = await importIdentity(text, { store: memoryIdentityStore(), exportable: true });
  assert.equal(await again.export(), text);
});

test('importIdentity refuses what is not an exported identity, with IDENTITY_IMPORT_INVALID', async () => {
  const original = await create(true);
  const text = await original.export();
  const key = text.slice('sigmesh-identity:v1:'.length);
  const p256 = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
  ]);
  const foreignKey = toBase64url(
    new Uint8Array(await crypto.subtle.exportKey('pkcs8', p256.privateKey)),
  );
  const bad: Array<[string, unknown]> = [
    ['empty', ''],
    ['no prefix', key],
    ['another prefix', `other-identity:v1:${key}`],
    ['a later version', `sigmesh-identity:v2:${key}`],
    ['no version', `sigmesh-identity:${key}`],
    ['no key', 'sigmesh-identity:v1'],
    ['empty key', 'sigmesh-identity:v1:'],
    ['not base64url', `sigmesh-identity:v1:${key.slice(0, -2)}+/`],
    ['truncated', `sigmesh-identity:v1:${key.slice(0, 40)}`],
    ['a P-256 key', `sigmesh-identity:v1:${foreignKey}`],
    ['too long', `sigmesh-identity:v1:${'A'.repeat(4096)}`],
    ['not a string', 42],
  ];
  const store = memoryIdentityStore();
  for (const [what, value] of bad)
    await assert.rejects(
      importIdentity(value as string, { store }),
      (error) => code(error) === 'IDENTITY_IMPORT_INVALID',
      what,
    );
  assert.equal(await store.load(), undefined, 'nothing was saved');
});

test('Identity.fromKeys refuses keys that are not an Ed25519 pair', async () => {
  const p256 = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
    'verify',
  ]);
  await assert.rejects(
    Identity.fromKeys({ ...p256, exportable: false }),
    (error) => code(error) === 'IDENTITY_STORE_CORRUPT',
  );
});

test('without IndexedDB (Node) and no store, loadOrCreateIdentity says to pass one', async () => {
  await assert.rejects(
    loadOrCreateIdentity(),
    (error) =>
      code(error) === 'IDENTITY_STORE_UNAVAILABLE' && /fileIdentityStore/.test(String(error)),
  );
});

test('two loads at once on an empty store end with the one identity it keeps', async () => {
  const store = memoryIdentityStore();
  const [a, b] = await Promise.all([
    loadOrCreateIdentity({ store }),
    loadOrCreateIdentity({ store }),
  ]);
  assert.equal(a.id, b.id);
  assert.equal((await loadOrCreateIdentity({ store })).id, a.id);
});
