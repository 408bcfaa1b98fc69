/**
 * What one room member's client reads from another member: the room payloads inside posts
 * (hello, signal, fragment, sealed; packages/protocol/src/client-signals.ts) and, once the peers
 * are connected, the text frames on their own data channel (peer-frames.ts).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parsePeerFrame, parseRoomPayload, type ParseResult } from '@sigmesh/protocol';
import { fuzzTarget } from '../lib/fuzz-target.js';
import { mutatedJson } from '../lib/json-mutations.js';
import { jsonText, type JsonTree } from '../lib/json-tree.js';
import { parsedValue } from '../lib/oracles.js';
import { mutatedText } from '../lib/text-mutations.js';
import { asTree, base64urlOf, nodeId } from './protocol-seeds.js';

const clientId = fc
  .uint8Array({ minLength: 16, maxLength: 16 })
  .map((b) => Buffer.from(b).toString('hex'));
const sdp = fc.oneof(
  fc.constantFrom('v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n'),
  fc.string({ maxLength: 200 }),
);

/** One WebRTC signal in simple-peer's shapes. */
export const peerSignal = fc.oneof(
  fc.record({ type: fc.constantFrom('offer' as const, 'answer' as const), sdp }),
  fc.record({
    type: fc.constant('candidate' as const),
    candidate: fc.option(
      fc.record({
        candidate: fc.constantFrom('candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', ''),
        sdpMid: fc.option(fc.constantFrom('0', '1'), { nil: null }),
        sdpMLineIndex: fc.option(fc.integer({ min: 0, max: 1023 }), { nil: null }),
      }),
      { nil: null },
    ),
  }),
);
const signals = fc.array(peerSignal, { minLength: 1, maxLength: 4 });

/** Every room payload kind, well formed. */
export const roomPayload = fc.oneof(
  fc.record({
    v: fc.constant(1 as const),
    kind: fc.constant('hello' as const),
    id: clientId,
    key: base64urlOf(65),
    node: nodeId,
    sig: base64urlOf(64),
    reply: fc.boolean(),
  }),
  fc.record({
    v: fc.constant(1 as const),
    kind: fc.constant('signal' as const),
    id: clientId,
    signals,
  }),
  fc.integer({ min: 2, max: 128 }).chain((count) =>
    fc.record({
      v: fc.constant(1 as const),
      kind: fc.constant('fragment' as const),
      frag: fc
        .uint8Array({ minLength: 4, maxLength: 4 })
        .map((b) => Buffer.from(b).toString('hex')),
      index: fc.integer({ min: 0, max: count - 1 }),
      count: fc.constant(count),
      part: fc.string({ maxLength: 100 }),
    }),
  ),
  fc.record({
    v: fc.constant(2 as const),
    kind: fc.constant('sealed' as const),
    box: fc
      .uint8Array({ minLength: 36, maxLength: 200 })
      .map((b) => Buffer.from(b).toString('base64url')),
  }),
);

/** Parse, then the same checks for every parser of another member's JSON. */
function checkJson<T>(
  parse: (value: unknown) => ParseResult<T>,
  text: string,
  valid: boolean,
  what: string,
): T | undefined {
  const value = parsedValue(parse(JSON.parse(text) as JsonTree));
  if (value === undefined) {
    assert.ok(!valid, `a valid ${what} was refused`);
    return undefined;
  }
  // Idempotent: the parsed value, as JSON, parses to itself.
  const again = parsedValue(parse(JSON.parse(JSON.stringify(value))));
  assert.ok(again !== undefined, `a parsed ${what} is refused when parsed again`);
  assert.equal(JSON.stringify(again), JSON.stringify(value));
  if (valid) assert.equal(JSON.stringify(value), text, `a valid ${what} parses to itself`);
  return value;
}

export const clientSignalsTarget = fuzzTarget({
  name: 'client-signals',
  covers: [
    'parseRoomPayload, parseSignals, parsePeerSignal (packages/protocol/src/client-signals.ts)',
  ],
  inputs: mutatedJson(roomPayload.map(asTree)).map(({ tree, valid }) => ({
    text: jsonText(tree),
    valid,
  })),
  check({ text, valid }: { text: string; valid: boolean }) {
    checkJson(parseRoomPayload, text, valid, 'room payload');
  },
});

const peerFrame = fc.oneof(
  fc.record({ t: fc.constant('signal' as const), signals }),
  fc.record({ t: fc.constant('message' as const), data: fc.jsonValue({ maxDepth: 3 }) }),
  fc.record({
    t: fc.constant('stream' as const),
    stream: fc.string({ maxLength: 40 }),
    metadata: fc.jsonValue({ maxDepth: 2 }),
  }),
  fc.constant({ t: 'bye' as const }),
);

export const peerFramesTarget = fuzzTarget({
  name: 'peer-frames',
  covers: [
    'parsePeerFrame (packages/protocol/src/peer-frames.ts): JSON text straight off a data channel',
  ],
  inputs: fc.oneof(
    {
      weight: 4,
      arbitrary: mutatedJson(peerFrame.map(asTree)).map(({ tree, valid }) => ({
        text: jsonText(tree),
        valid,
      })),
    },
    {
      weight: 1,
      arbitrary: mutatedText(peerFrame.map((f) => JSON.stringify(f))).map((text) => ({
        text,
        valid: false,
      })),
    },
  ),
  check({ text, valid }: { text: string; valid: boolean }) {
    const frame = parsedValue(parsePeerFrame(text));
    if (frame === undefined) {
      assert.ok(!valid, 'a valid peer frame was refused');
      return;
    }
    if (frame.t === 'stream') assert.ok(frame.stream.length <= 256);
    if (frame.t === 'signal') assert.ok(frame.signals.length >= 1 && frame.signals.length <= 64);
    if (valid && frame.t !== 'stream') assert.equal(JSON.stringify(frame), text);
  },
});
