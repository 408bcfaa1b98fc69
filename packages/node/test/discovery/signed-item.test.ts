import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  bep44Signable,
  bep44Target,
  encodeDhtItem,
  fromHex,
  parseDhtItem,
  toBase64url,
  toHex,
  utf8,
} from '@sigmesh/protocol';
import { createSigner } from '../../src/discovery/ed25519-keys.js';
import {
  signItem,
  validateSignedItem,
  verifyItemSignature,
} from '../../src/discovery/signed-item.js';

// BEP 44 "Test vectors" (bittorrent.org/beps/bep_0044.html).
const VECTOR_KEY = hex('77ff84905a91936367c01360803104f92432fcd904a43511876df5cdf3e7e548');
const VECTOR_VALUE = utf8('Hello World!');
const VECTOR_SIG_NO_SALT =
  '305ac8aeb6c9c151fa120f120ea2cfb923564e11552d06a5d856091e5e853cff1260d3f39e4999684aa92eb73ffd136e6f4f3ecbfda0ce53a1608ecd7ae21f01';
const VECTOR_SIG_SALT =
  '6834284b6b24c3204eb2fea824d82f88883a3d95e8b4a21b8c0ded553d17d17ddf9a8a7104b1258f30bed3787e6cb896fca78c58f8e03b5f18f14951a87d9a08';

function hex(text: string): Uint8Array {
  const bytes = fromHex(text);
  assert.ok(bytes);
  return bytes;
}

function signer() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return createSigner({ publicKey, privateKey });
}

test('BEP 44 vector 1 (no salt): signable bytes, target and signature', () => {
  const signable = bep44Signable(new Uint8Array(0), 1, VECTOR_VALUE);
  assert.equal(new TextDecoder().decode(signable), '3:seqi1e1:v12:Hello World!');
  assert.equal(
    toHex(bep44Target(VECTOR_KEY, new Uint8Array(0))),
    '4a533d47ec9c7d95b1ad75f576cffc641853b750',
  );
  const item = {
    k: VECTOR_KEY,
    salt: new Uint8Array(0),
    seq: 1,
    v: VECTOR_VALUE,
    sig: hex(VECTOR_SIG_NO_SALT),
  };
  assert.ok(verifyItemSignature(item));
  assert.ok(validateSignedItem(encodeDhtItem(item)).ok);
});

test('BEP 44 vector 2 (salt "foobar"): signable bytes, target and signature', () => {
  const salt = utf8('foobar');
  assert.equal(
    new TextDecoder().decode(bep44Signable(salt, 1, VECTOR_VALUE)),
    '4:salt6:foobar3:seqi1e1:v12:Hello World!',
  );
  assert.equal(toHex(bep44Target(VECTOR_KEY, salt)), '411eba73b6f087ca51a3795d9c8c938d365e32c1');
  const item = { k: VECTOR_KEY, salt, seq: 1, v: VECTOR_VALUE, sig: hex(VECTOR_SIG_SALT) };
  assert.ok(verifyItemSignature(item));
  // The same signature with another seq or salt does not verify.
  assert.equal(verifyItemSignature({ ...item, seq: 2 }), false);
  assert.equal(verifyItemSignature({ ...item, salt: utf8('foobaz') }), false);
});

test('a bad signature, an oversize value and an oversize salt each get their own code', () => {
  const me = signer();
  const good = encodeDhtItem(signItem(me, utf8('s'), 7, utf8('value')));
  assert.ok(validateSignedItem(good).ok);

  const badSig = validateSignedItem({ ...good, sig: 'ab'.repeat(64) });
  assert.deepEqual(badSig.ok ? undefined : badSig.code, 'DHT_SIGNATURE_INVALID');

  const oversize = validateSignedItem({ ...good, v: toBase64url(new Uint8Array(997)) });
  assert.deepEqual(oversize.ok ? undefined : oversize.code, 'DHT_VALUE_TOO_LARGE');
  const huge = validateSignedItem({ ...good, v: 'A'.repeat(100_000) });
  assert.deepEqual(huge.ok ? undefined : huge.code, 'DHT_VALUE_TOO_LARGE');

  const longSalt = validateSignedItem({ ...good, salt: toBase64url(new Uint8Array(65)) });
  assert.deepEqual(longSalt.ok ? undefined : longSalt.code, 'DHT_SALT_TOO_LARGE');

  for (const broken of [
    { ...good, k: 'zz' },
    { ...good, seq: -1 },
    { ...good, seq: 1.5 },
    { ...good, v: '=' },
    { ...good, sig: 'ab' },
    null,
    'x',
  ]) {
    const result = validateSignedItem(broken);
    assert.deepEqual(
      result.ok ? undefined : result.code,
      'DHT_ITEM_INVALID',
      JSON.stringify(broken),
    );
  }
});

test('996 bytes is the largest value (1000 bytes bencoded)', () => {
  const me = signer();
  const item = signItem(me, new Uint8Array(0), 0, new Uint8Array(996).fill(7));
  assert.ok(validateSignedItem(encodeDhtItem(item)).ok);
  assert.throws(() => signItem(me, new Uint8Array(0), 0, new Uint8Array(997)), RangeError);
});

test('property: signed items survive the JSON round trip and verify; any flipped byte does not', () => {
  const me = signer();
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 64 }),
      fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      fc.uint8Array({ maxLength: 996 }),
      fc.nat(),
      (salt, seq, v, flip) => {
        const item = signItem(me, salt, seq, v);
        const parsed = parseDhtItem(JSON.parse(JSON.stringify(encodeDhtItem(item))));
        assert.ok(parsed.ok);
        assert.deepEqual(parsed.value, { ...item, k: new Uint8Array(item.k) });
        assert.ok(verifyItemSignature(parsed.value));
        const sig = new Uint8Array(item.sig);
        sig[flip % 64] = (sig[flip % 64] ?? 0) ^ 1;
        assert.equal(verifyItemSignature({ ...item, sig }), false);
      },
    ),
    { numRuns: 100 },
  );
});
