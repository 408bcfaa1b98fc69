/**
 * What a client reads from a node's room stream: the `text/event-stream` parser, fed the stream
 * in whatever chunks the network delivers, and the parsers of the `welcome`, `presence` and
 * `message` events inside it.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  applyPresence,
  jsonDepthExceeds,
  parseMessageEvent,
  parsePresenceEvent,
  parseWelcomeEvent,
  SseParser,
  type ParseResult,
  type PeerId,
  type SseEvent,
} from '@sigmesh/protocol';
import { fuzzTarget } from '../lib/fuzz-target.js';
import { mutatedJson } from '../lib/json-mutations.js';
import { jsonText, type JsonTree } from '../lib/json-tree.js';
import { parsedValue, reserializes } from '../lib/oracles.js';
import { mutatedText } from '../lib/text-mutations.js';
import { sseChunk } from '../../packages/node/src/rooms/sse-chunk.js';
import { asTree, count, messageId, nodeId, peerId, powOffer, roomHash } from './protocol-seeds.js';

/** The line bound the client uses (node-session.ts). */
const MAX_LINE = 64 * 1024;

const roomEvent = fc.oneof(
  fc.record({
    event: fc.constant('message' as const),
    data: fc.record({ id: messageId, from: peerId, data: fc.jsonValue({ maxDepth: 3 }) }),
  }),
  fc.record({
    event: fc.constant('presence' as const),
    data: fc.record({
      join: fc.array(peerId, { maxLength: 3 }),
      leave: fc.array(peerId, { maxLength: 3 }),
    }),
  }),
  fc.record({ event: fc.constant('heartbeat' as const), data: fc.record({ ts: count }) }),
);

/** A stream as the node writes it (its own encoder), mutated, with comments and odd line ends. */
const stream = fc.record({
  events: fc.array(roomEvent, { minLength: 1, maxLength: 5 }),
  lineEnd: fc.constantFrom('\n', '\r\n', '\r'),
  comment: fc.boolean(),
});

const encoded = stream.map(({ events, lineEnd, comment }) => {
  const text = events
    .map(
      ({ event, data }) =>
        (comment ? ': keep-alive\n\n' : '') + sseChunk(event, data).toString('utf8'),
    )
    .join('')
    .replaceAll('\n', lineEnd);
  return { text, events: events.map(({ event, data }) => ({ event, data: JSON.stringify(data) })) };
});

/** Chunk sizes; TRICKLE: one character per chunk (a node trickling a long line). */
const TRICKLE: readonly number[] = [];

export const sseStreamTarget = fuzzTarget({
  name: 'sse-stream',
  covers: ['SseParser.feed (packages/protocol/src/sse-parser.ts)'],
  inputs: fc.record({
    stream: fc.oneof(
      { weight: 1, arbitrary: encoded },
      {
        weight: 3,
        arbitrary: mutatedText(
          encoded.map((e) => e.text),
          3,
        ).map((text) => ({ text, events: undefined })),
      },
    ),
    chunks: fc.oneof(
      {
        weight: 20,
        arbitrary: fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 10 }),
      },
      { weight: 1, arbitrary: fc.constant(TRICKLE) },
    ),
  }),
  // Up to 70,000 one-character feeds: linear is ~30 ms.
  maxMsPerInput: 250,
  check({
    stream: { text, events },
    chunks,
  }: {
    stream: { text: string; events: SseEvent[] | undefined };
    chunks: readonly number[];
  }) {
    const parser = new SseParser(MAX_LINE);
    const got: SseEvent[] = [];
    let fed = 0;
    let refused = false;
    for (let i = 0; fed < text.length; i++) {
      const size = chunks === TRICKLE ? (fed < 70_000 ? 1 : 4096) : chunks[i % chunks.length]!;
      const chunk = text.slice(fed, fed + size);
      fed += chunk.length;
      try {
        got.push(...parser.feed(chunk));
      } catch (error) {
        // The one failure it may raise: a line past the bound (memory stays bounded).
        assert.ok(error instanceof RangeError, `threw ${String(error)}`);
        refused = true;
        break;
      }
    }
    const reference = referenceParse(text.slice(0, fed));
    if (refused) {
      assert.ok(
        reference.longestUnfinished > MAX_LINE || reference.longestLine > MAX_LINE,
        'refused a stream within the line bound',
      );
      return;
    }
    assert.ok(reference.longestUnfinished <= MAX_LINE, 'buffered a line past the bound');
    // However the stream was cut into chunks, the events are those of the whole stream.
    assert.deepEqual(got, reference.events);
    if (events !== undefined) assert.deepEqual(got, events);
  },
});

/**
 * The WHATWG event-stream algorithm (HTML §9.2.6) on a whole text, for the fields the parser
 * keeps: lines end at CRLF, CR or LF; a blank line dispatches; `:` starts a comment; one space
 * after the colon is dropped. Also reports the longest line, finished or not.
 */
function referenceParse(text: string): {
  events: SseEvent[];
  longestUnfinished: number;
  longestLine: number;
} {
  const lines = text.split(/\r\n|\r|\n/);
  const unfinished = lines.pop() ?? '';
  // A CR at the very end may yet be the first half of a CRLF; either way the line is finished.
  const events: SseEvent[] = [];
  let event = '';
  let data: string[] = [];
  let longestLine = 0;
  for (const line of lines) {
    longestLine = Math.max(longestLine, line.length);
    if (line === '') {
      if (data.length > 0)
        events.push({ event: event === '' ? 'message' : event, data: data.join('\n') });
      event = '';
      data = [];
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return { events, longestUnfinished: unfinished.length, longestLine };
}

const welcome = fc.record({
  peerId,
  session: fc.string({ minLength: 1, maxLength: 24 }),
  room: roomHash,
  nodeId,
  members: fc.array(peerId, { maxLength: 4 }),
  heartbeatMs: count,
  pow: powOffer,
});
const presence = fc.oneof(
  fc.record({
    join: fc.array(peerId, { maxLength: 4 }),
    leave: fc.array(peerId, { maxLength: 4 }),
  }),
  fc.record({ members: fc.array(peerId, { maxLength: 4 }) }),
);
const message = fc.record(
  { id: messageId, from: peerId, to: peerId, data: fc.jsonValue({ maxDepth: 3 }) },
  { requiredKeys: ['id', 'from', 'data'] },
);

const eventKinds: ReadonlyArray<{
  name: string;
  seed: fc.Arbitrary<unknown>;
  parse: (value: unknown) => ParseResult<unknown>;
}> = [
  { name: 'welcome', seed: welcome, parse: parseWelcomeEvent },
  { name: 'presence', seed: presence, parse: parsePresenceEvent },
  { name: 'message', seed: message, parse: parseMessageEvent },
];

export const roomEventsTarget = fuzzTarget({
  name: 'room-events',
  covers: [
    'parseWelcomeEvent, parsePresenceEvent, applyPresence, parseMessageEvent (packages/protocol/src/messages.ts)',
  ],
  inputs: fc.integer({ min: 0, max: eventKinds.length - 1 }).chain((index) =>
    mutatedJson(eventKinds[index]!.seed.map(asTree)).map(({ tree, valid }) => ({
      index,
      text: jsonText(tree),
      valid,
    })),
  ),
  check({ index, text, valid }: { index: number; text: string; valid: boolean }) {
    const kind = eventKinds[index]!;
    const value = parsedValue(kind.parse(JSON.parse(text) as JsonTree));
    if (value === undefined) {
      assert.ok(!valid, `a valid ${kind.name} event was refused`);
      return;
    }
    // The client never writes message data back out, and a node never sends data nested past
    // maxDataDepth: JSON.stringify may overflow on a hostile node's deeper data, harmlessly here.
    if (kind.name === 'message' && jsonDepthExceeds(value, 1000)) return;
    const again = parsedValue(kind.parse(reserializes(value)));
    assert.ok(again !== undefined, `a parsed ${kind.name} event is refused when parsed again`);
    assert.equal(JSON.stringify(again), JSON.stringify(value));
    if (kind.name === 'presence') {
      const members = new Set<PeerId>();
      applyPresence(members, value as Parameters<typeof applyPresence>[1]);
      for (const member of members) assert.match(member, /^[0-9a-f]{32}$/);
    }
  },
});
