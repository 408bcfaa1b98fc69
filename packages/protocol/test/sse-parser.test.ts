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

// Fuzzing regressions (sse-stream target). (1) The exact input: a CRLF stream fed one character
// at a time dispatched at the CR and again at the LF, so the event lost its name. (2) A line
// trickled one character at a time was searched again from its start on every feed: quadratic.
test('a CRLF split across chunks is one line end', () => {
  const text = 'event: presence\r\ndata: {"join":[],"leave":[]}\r\n\r\n';
  const parser = new SseParser();
  const events = Array.from({ length: text.length }, (_, i) => parser.feed(text[i]!)).flat();
  assert.deepEqual(events, [{ event: 'presence', data: '{"join":[],"leave":[]}' }]);
  const split = new SseParser();
  assert.deepEqual(
    [...split.feed('data: a\r'), ...split.feed(''), ...split.feed('\ndata: b\r\n\r\n')],
    [{ event: 'message', data: 'a\nb' }],
  );
  const lone = new SseParser();
  assert.deepEqual(
    [...lone.feed('data: a\r'), ...lone.feed('\r')],
    [{ event: 'message', data: 'a' }],
  );
});

test('a long line trickled one character per chunk is read in linear time', () => {
  const parser = new SseParser();
  const started = performance.now();
  for (let i = 0; i < 256 * 1024; i++) parser.feed('x');
  assert.deepEqual(parser.feed('\n'), []);
  const ms = performance.now() - started;
  assert.ok(ms < 1000, `${ms.toFixed(0)} ms`);
  assert.throws(() => new SseParser(10).feed('data: 0123456789abcdef'), RangeError);
});
