import assert from 'node:assert/strict';
import { test } from 'node:test';
import { helloKeyAlgorithm, parseRoomPayload } from '../src/client-signals.js';

const hello = (key: string, sig = 'S'.repeat(86)): Record<string, unknown> => ({
  v: 1,
  kind: 'hello',
  id: 'a'.repeat(32),
  key,
  node: 'b'.repeat(64),
  sig,
  reply: false,
});

test('a hello key is a P-256 point (87 characters) or an Ed25519 key (43), told by its length', () => {
  const p256 = parseRoomPayload(hello('B'.repeat(87)));
  const ed25519 = parseRoomPayload(hello('E'.repeat(43)));
  assert.ok(p256.ok && ed25519.ok);
  assert.equal(helloKeyAlgorithm('B'.repeat(87)), 'P-256');
  assert.equal(helloKeyAlgorithm('E'.repeat(43)), 'Ed25519');
  assert.deepEqual(ed25519.value, hello('E'.repeat(43)));
});

test('a hello key of any other length, or not base64url, is refused', () => {
  for (const length of [0, 1, 42, 44, 64, 86, 88, 120]) {
    const parsed = parseRoomPayload(hello('K'.repeat(length)));
    assert.equal(parsed.ok, false, `${length} characters`);
    assert.equal(helloKeyAlgorithm('K'.repeat(length)), undefined);
  }
  assert.equal(parseRoomPayload(hello(`${'E'.repeat(42)}+`)).ok, false, 'not base64url');
  assert.equal(parseRoomPayload(hello(`${'E'.repeat(42)}=`)).ok, false, 'padding');
  assert.equal(parseRoomPayload(hello(43 as unknown as string)).ok, false, 'not a string');
});

test('the hello signature is 86 characters (64 bytes) for either key', () => {
  for (const key of ['B'.repeat(87), 'E'.repeat(43)]) {
    assert.equal(parseRoomPayload(hello(key, 'S'.repeat(86))).ok, true);
    for (const length of [85, 87, 88, 0])
      assert.equal(parseRoomPayload(hello(key, 'S'.repeat(length))).ok, false, `${length}`);
  }
});
