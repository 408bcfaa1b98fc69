import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRoomPayload } from '@sigmesh/protocol';
import { loadOrCreateIdentity } from '../../src/identity/load-or-create-identity.js';
import { memoryIdentityStore } from '../../src/identity/memory-identity-store.js';
import { peerIdentityOf } from '../../src/identity/peer-identity.js';
import { ClientIdentity, verifyHello } from '../../src/signaling/client-identity.js';
import { IdentityHellos } from '../../src/signaling/identity-hellos.js';

const ROOM = 'a'.repeat(40);
const MEMBER = 'b'.repeat(32);
const OTHER = 'c'.repeat(32);
const NODE = 'd'.repeat(64);

const lasting = async (): Promise<IdentityHellos> =>
  new IdentityHellos(await loadOrCreateIdentity({ store: memoryIdentityStore() }));

test('a hello signed by a lasting identity parses, verifies and names its key and fingerprint', async () => {
  const identity = await loadOrCreateIdentity({ store: memoryIdentityStore() });
  const signer = new IdentityHellos(identity);
  assert.equal(signer.id, identity.id);
  const hello = await signer.hello(ROOM, MEMBER, NODE, false);
  assert.equal(hello.key, identity.publicKey);
  assert.equal(hello.key.length, 43);
  assert.equal(hello.sig.length, 86);
  assert.ok(parseRoomPayload(JSON.parse(JSON.stringify(hello))).ok);
  assert.equal(await verifyHello(ROOM, MEMBER, hello), true);
  assert.deepEqual(await peerIdentityOf(hello.key), {
    algorithm: 'Ed25519',
    publicKey: identity.publicKey,
    fingerprint: identity.fingerprint,
  });
});

test('an Ed25519 hello is refused when forged: another member, node, room, key or id', async () => {
  const signer = await lasting();
  const hello = await signer.hello(ROOM, MEMBER, NODE, false);
  // A valid key and a valid signature, but over another member id: someone replaying it.
  const forChosenMember = await signer.hello(ROOM, OTHER, NODE, false);
  assert.equal(await verifyHello(ROOM, MEMBER, { ...hello, sig: forChosenMember.sig }), false);
  assert.equal(await verifyHello(ROOM, OTHER, hello), false, 'posted by another member');
  assert.equal(await verifyHello(ROOM, MEMBER, { ...hello, node: 'e'.repeat(64) }), false);
  assert.equal(await verifyHello('f'.repeat(40), MEMBER, hello), false, 'another room');
  const impostor = await lasting();
  const theirs = await impostor.hello(ROOM, MEMBER, NODE, false);
  assert.equal(await verifyHello(ROOM, MEMBER, { ...hello, key: theirs.key }), false, 'key');
  assert.equal(await verifyHello(ROOM, MEMBER, { ...hello, id: impostor.id }), false, 'id');
  // The impostor's own key and id with our signature.
  assert.equal(
    await verifyHello(ROOM, MEMBER, { ...hello, key: theirs.key, id: theirs.id }),
    false,
  );
});

test('hello kinds do not mix: an Ed25519 signature under a P-256 key is refused, and back', async () => {
  const ed25519 = await (await lasting()).hello(ROOM, MEMBER, NODE, false);
  const p256 = await (await ClientIdentity.create()).hello(ROOM, MEMBER, NODE, false);
  assert.equal(await verifyHello(ROOM, MEMBER, p256), true);
  assert.equal(await verifyHello(ROOM, MEMBER, { ...p256, sig: ed25519.sig }), false);
  assert.equal(await verifyHello(ROOM, MEMBER, { ...ed25519, sig: p256.sig }), false);
  const peer = await peerIdentityOf(p256.key);
  assert.equal(peer?.algorithm, 'P-256');
  assert.match(peer?.fingerprint ?? '', /^[A-Z2-7]{4}(-[A-Z2-7]{4}){5}$/);
});
