import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  MAX_CHAT_LENGTH,
  MAX_NAME_LENGTH,
  parseAppMessage,
  type AppMessage,
} from '../src/app-messages.js';

const transfer = fc.integer({ min: 0, max: 0xffffffff });
const id = fc.string({ minLength: 1, maxLength: 64 });
const words = (max: number) =>
  fc.string({ minLength: 1, maxLength: max }).filter((text) => text.trim() === text && text !== '');
const sha256 = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((bytes) => Buffer.from(bytes).toString('hex'));

/** Every message the app sends, as generated values. */
const message: fc.Arbitrary<AppMessage> = fc.oneof(
  words(MAX_NAME_LENGTH).map((name) => ({ type: 'hello' as const, name })),
  fc
    .string({ minLength: 1, maxLength: MAX_CHAT_LENGTH })
    .filter((text) => text.trim() !== '')
    .map((text) => ({ type: 'chat' as const, text })),
  fc.record({
    type: fc.constant('file-start' as const),
    transfer,
    name: words(255),
    size: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
    mime: fc.string({ maxLength: 127 }),
  }),
  fc.record({ type: fc.constant('file-end' as const), transfer, sha256 }),
  fc.record({
    type: fc.constant('file-cancel' as const),
    transfer,
    reason: fc.string({ maxLength: 200 }),
  }),
  fc.record({
    type: fc.constant('file-reject' as const),
    transfer,
    reason: fc.string({ maxLength: 200 }),
  }),
  fc.record({ type: fc.constant('file-received' as const), transfer }),
  fc.record({ type: fc.constant('call-invite' as const), call: id }),
  fc.record({ type: fc.constant('call-accept' as const), call: id }),
  fc.record({
    type: fc.constant('call-decline' as const),
    call: id,
    reason: fc.string({ maxLength: 200 }),
  }),
  fc.record({ type: fc.constant('call-end' as const), call: id }),
  fc.record({ type: fc.constant('screen-end' as const), stream: id }),
);

test('every message survives JSON and parses back to itself', () => {
  fc.assert(
    fc.property(message, (sent) => {
      // fast-check records have a null prototype; compare with a plain copy.
      assert.deepEqual(parseAppMessage(JSON.parse(JSON.stringify(sent))), { ...sent });
    }),
  );
});

test('malformed messages from a peer are dropped', () => {
  const bad: unknown[] = [
    null,
    'hello',
    [],
    { type: 'nope' },
    { type: 'toString' },
    { type: 'hello' },
    { type: 'hello', name: '   ' },
    { type: 'hello', name: 'x'.repeat(MAX_NAME_LENGTH + 1) },
    { type: 'chat', text: 'x'.repeat(MAX_CHAT_LENGTH + 1) },
    { type: 'file-start', transfer: -1, name: 'a', size: 1, mime: '' },
    { type: 'file-start', transfer: 1, name: 'a', size: 1.5, mime: '' },
    { type: 'file-start', transfer: 1, name: 'a', size: -1, mime: '' },
    { type: 'file-start', transfer: 2 ** 32, name: 'a', size: 1, mime: '' },
    { type: 'file-end', transfer: 1, sha256: 'ABC' },
    { type: 'file-end', transfer: 1, sha256: 'A'.repeat(64) },
    { type: 'call-invite', call: '' },
    { type: 'call-end', call: 'x'.repeat(65) },
    { type: 'screen-end' },
  ];
  for (const value of bad) assert.equal(parseAppMessage(value), undefined, JSON.stringify(value));
});

test('names are trimmed; an odd mime type is dropped, not the file', () => {
  assert.deepEqual(parseAppMessage({ type: 'hello', name: '  Ada ' }), {
    type: 'hello',
    name: 'Ada',
  });
  assert.deepEqual(
    parseAppMessage({ type: 'file-start', transfer: 7, name: 'a.txt', size: 3, mime: 42 }),
    { type: 'file-start', transfer: 7, name: 'a.txt', size: 3, mime: '' },
  );
});
