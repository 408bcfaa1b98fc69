import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromBase64url, toBase64url } from '@sigmesh/protocol';
import { decodeBase64urlNative } from '../../src/pow/native-base64url.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Characters Node's own decoder would skip or read as base64 (standard alphabet, padding). */
const FOREIGN = '+/= .\n\u00e9\u{1F600}%';

/** A seeded xorshift, so a failure names its case. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

function same(text: string): void {
  const expected = fromBase64url(text);
  const actual = decodeBase64urlNative(text);
  if (expected === undefined) assert.equal(actual, undefined, `accepted ${JSON.stringify(text)}`);
  else
    assert.deepEqual(
      actual === undefined ? undefined : [...actual],
      [...expected],
      `decoded ${JSON.stringify(text)} differently`,
    );
}

test('the native decoder answers as fromBase64url for every character in every position', () => {
  for (const length of [0, 1, 2, 3, 4, 5, 6, 7, 8, 57, 58, 59, 60])
    for (const char of ALPHABET + FOREIGN) {
      same(char.repeat(length));
      same('A'.repeat(Math.max(0, length - 1)) + char);
      same(char + 'A'.repeat(Math.max(0, length - 1)));
    }
});

test('the native decoder answers as fromBase64url on random text and on real encodings', () => {
  const next = random(0x5eed);
  const characters = ALPHABET + FOREIGN;
  for (let i = 0; i < 20_000; i++) {
    const length = Math.floor(next() * 70);
    let text = '';
    for (let j = 0; j < length; j++)
      text += characters.charAt(Math.floor(next() * characters.length));
    same(text);
    const bytes = Uint8Array.from({ length }, () => Math.floor(next() * 256));
    same(toBase64url(bytes));
  }
});

test('the native decoder refuses stray low bits that Node alone would drop', () => {
  // "AB" spells one byte and four bits; B = 1 sets one of the stray bits.
  assert.equal(Buffer.from('AB', 'base64url').length, 1);
  assert.equal(decodeBase64urlNative('AB'), undefined);
  assert.deepEqual([...decodeBase64urlNative('AA')!], [0]);
  assert.equal(decodeBase64urlNative('AAB'), undefined);
  assert.equal(decodeBase64urlNative('A+A='), undefined);
});
