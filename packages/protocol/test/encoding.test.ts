import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fromBase64url, fromHex, toBase64url, toHex } from '../src/encoding.js';

test('base64url round-trips any bytes and matches Node’s encoder', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const text = toBase64url(bytes);
      assert.equal(text, Buffer.from(bytes).toString('base64url'));
      assert.deepEqual(fromBase64url(text), bytes);
    }),
  );
});

test('base64url rejects foreign characters, impossible lengths and non-canonical tails', () => {
  assert.equal(fromBase64url('ab+c'), undefined);
  assert.equal(fromBase64url('abcde'), undefined);
  assert.equal(
    fromBase64url('AB'),
    undefined,
    'AB has stray low bits; AA is the canonical spelling of 0x00',
  );
  assert.deepEqual(fromBase64url('AA'), new Uint8Array([0]));
});

test('hex round-trips and rejects odd or non-hex input', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) =>
      assert.deepEqual(fromHex(toHex(bytes)), bytes),
    ),
  );
  assert.equal(fromHex('abc'), undefined);
  assert.equal(fromHex('zz'), undefined);
});
