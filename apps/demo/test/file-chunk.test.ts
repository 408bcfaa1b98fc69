import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CHUNK_BYTES, decodeChunk, encodeChunk } from '../src/file-chunk.js';

test('a chunk decodes to the transfer number and bytes it was encoded with', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.uint8Array({ maxLength: 64 }),
      (transfer, payload) => {
        const decoded = decodeChunk(encodeChunk(transfer, payload));
        assert.ok(decoded !== undefined);
        assert.equal(decoded.transfer, transfer);
        assert.deepEqual([...decoded.payload], [...payload]);
      },
    ),
  );
});

test('the transfer number is 4 bytes big-endian, and a view into a larger buffer decodes', () => {
  const bytes = encodeChunk(0x01020304, new Uint8Array([9, 8]));
  assert.deepEqual([...bytes], [1, 2, 3, 4, 9, 8]);
  const framed = new Uint8Array(10);
  framed.set(bytes, 3);
  const decoded = decodeChunk(framed.subarray(3, 9));
  assert.equal(decoded?.transfer, 0x01020304);
  assert.deepEqual([...(decoded?.payload ?? [])], [9, 8]);
});

test('anything shorter than the header is not a chunk', () => {
  for (const length of [0, 1, 3]) assert.equal(decodeChunk(new Uint8Array(length)), undefined);
  assert.equal(CHUNK_BYTES, 16 * 1024);
});
