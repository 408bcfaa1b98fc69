import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SseParser } from '../src/sse-parser.js';

test('events split across chunks, CRLF, comments and multi-line data', () => {
  const parser = new SseParser();
  assert.deepEqual(parser.feed('event: join\nda'), []);
  assert.deepEqual(parser.feed('ta: {"a":1}\n\n: heartbeat comment\n\n'), [
    { event: 'join', data: '{"a":1}' },
  ]);
  assert.deepEqual(parser.feed('data: one\r\ndata: two\r\n\r\n'), [
    { event: 'message', data: 'one\ntwo' },
  ]);
});

test('a line longer than the bound is refused', () => {
  const parser = new SseParser(10);
  assert.throws(() => parser.feed('data: 0123456789abcdef'), RangeError);
});
