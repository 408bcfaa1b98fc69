import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { test } from 'node:test';
import { rawPublicKey } from '../../src/discovery/ed25519-keys.js';
import { isSmallOrderEd25519Key as isSmallOrderKey } from '@sigmesh/protocol';
import { verifyEd25519, verifyingKey } from '../../src/identity/ed25519-verify.js';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const opensslKey = (raw: Uint8Array) =>
  createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
const data = new TextEncoder().encode('any message at all');
/** The small-order encodings the node must refuse, written out again on purpose: a change to the list in @sigmesh/protocol fails here. */
const LISTED = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
];

test('a real key verifies its signatures and no others', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  const signature = new Uint8Array(sign(null, data, privateKey));
  assert.equal(isSmallOrderKey(raw), false);
  assert.ok(verifyEd25519(raw, data, signature));
  // Twice: the second time from the key cache, with the same answers.
  assert.ok(verifyEd25519(raw, data, signature));
  assert.equal(verifyEd25519(raw, new TextEncoder().encode('other'), signature), false);
  signature[0]! ^= 1;
  assert.equal(verifyEd25519(raw, data, signature), false);
});

test('the all-zero key, under which OpenSSL takes a zero signature, verifies nothing', () => {
  const zero = new Uint8Array(32);
  // The weakness the check closes: OpenSSL takes the all-zero signature under the all-zero key
  // for about one message in four (whether it does depends on the message's hash, so a forger
  // tries a few).
  const messages = Array.from({ length: 64 }, (_, i) => new TextEncoder().encode(`message ${i}`));
  const taken = messages.filter((m) => verify(null, m, opensslKey(zero), new Uint8Array(64)));
  assert.ok(taken.length >= 1, 'OpenSSL took none of 64 forgeries');
  for (const message of taken)
    assert.equal(verifyEd25519(zero, message, new Uint8Array(64)), false);
  assert.equal(verifyingKey(zero), undefined);
});

test('every small-order encoding is refused, with or without the sign bit; its neighbours are not', () => {
  let forgeable = 0;
  for (const hex of LISTED) {
    const raw = new Uint8Array(Buffer.from(hex, 'hex'));
    // R = the point itself, S = 0: a "signature" of every message under a small-order key.
    const forged = Buffer.concat([raw, Buffer.alloc(32)]);
    for (let i = 0; i < 64; i++) {
      const message = new TextEncoder().encode(`message ${i}`);
      let taken = false;
      try {
        taken = verify(null, message, opensslKey(raw), forged);
      } catch {
        // OpenSSL refuses some non-canonical encodings outright.
      }
      if (taken) {
        forgeable++;
        break;
      }
    }
    assert.equal(verifyEd25519(raw, data, forged), false, hex);
    assert.ok(isSmallOrderKey(raw), hex);
    raw[31]! |= 0x80;
    assert.ok(isSmallOrderKey(raw), `${hex} with the sign bit`);
    raw[31]! &= 0x7f;
    raw[5]! ^= 1;
    assert.equal(isSmallOrderKey(raw), false, `${hex} with a bit flipped`);
  }
  // OpenSSL takes such forgeries for several listed keys: the list is of keys anyone can sign as.
  assert.ok(forgeable >= 2, `OpenSSL accepted forgeries under ${forgeable} listed keys`);
});

test('verify is false, never a throw, for malformed input', () => {
  assert.equal(verifyEd25519(new Uint8Array(31), data, new Uint8Array(64)), false);
  assert.equal(verifyEd25519(new Uint8Array(33), data, new Uint8Array(64)), false);
  assert.equal(verifyEd25519(new Uint8Array(32).fill(7), data, new Uint8Array(63)), false);
  assert.equal(verifyEd25519(new Uint8Array(32).fill(0xff), data, new Uint8Array(64)), false);
  assert.equal(verifyingKey(new Uint8Array(31)), undefined);
});
