import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { EventStreamReader, type StreamEvent } from '../../soak/event-stream-reader.js';

const HEAD =
  'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n';

function chunk(text: string): string {
  return `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
}

function read(pieces: readonly Buffer[]): { reader: EventStreamReader; events: StreamEvent[] } {
  const reader = new EventStreamReader();
  const events: StreamEvent[] = [];
  for (const piece of pieces) reader.push(piece, (event) => events.push(event));
  return { reader, events };
}

test('reads the status, de-chunks, and splits events; comments and empty events are skipped', () => {
  const body =
    chunk('event: welcome\ndata: {"peerId":"a"}\n\n') +
    chunk(
      ': a comment\n\nevent: message\ndata: {"p":1}\n\nevent: presence\ndata: {"join":["é"]}\n\n',
    ) +
    chunk('data: line one\ndata: line two\n\n') +
    '0\r\n\r\n';
  const { reader, events } = read([Buffer.from(HEAD + body)]);
  assert.equal(reader.status, 200);
  assert.equal(reader.ended, true);
  assert.deepEqual(events, [
    { name: 'welcome', data: '{"peerId":"a"}' },
    { name: 'message', data: '{"p":1}' },
    { name: 'presence', data: '{"join":["é"]}' },
    { name: 'message', data: 'line one\nline two' },
  ]);
});

test('a refusal is read as its status, without events', () => {
  const { reader, events } = read([
    Buffer.from('HTTP/1.1 429 Too Many Requests\r\ncontent-length: 2\r\n\r\n{}'),
  ]);
  assert.equal(reader.status, 429);
  assert.deepEqual(events, []);
});

test('the same events whatever the byte boundaries (chunks, reads, a multi-byte character split)', () => {
  const events = Array.from({ length: 30 }, (_, i) => ({
    name: i % 3 === 0 ? 'presence' : 'message',
    data: JSON.stringify({ p: i, note: 'ü€𝄞'.repeat(i % 4) }),
  }));
  const text = events.map((e) => `event: ${e.name}\ndata: ${e.data}\n\n`);
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 30, maxLength: 30 }),
      fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 60 }),
      (groups, cuts) => {
        // Events grouped into chunks as the node's writer does (several events per write).
        let body = '';
        for (let at = 0, g = 0; at < text.length; g++) {
          const take = groups[g % groups.length]!;
          body += chunk(text.slice(at, at + take).join(''));
          at += take;
        }
        const bytes = Buffer.from(HEAD + body);
        const pieces: Buffer[] = [];
        for (let at = 0, c = 0; at < bytes.length; c++) {
          const size = cuts[c % cuts.length]!;
          pieces.push(bytes.subarray(at, at + size));
          at += size;
        }
        assert.deepEqual(read(pieces).events, events);
      },
    ),
  );
});
