/**
 * `POST /room/HASH` bodies as the route reads them: the exact bytes through the strict UTF-8
 * decoder and JSON.parse (`http/json-body.ts`), then `parseRoomPost`. What it accepts the node
 * writes straight back out (SSE `message` events, mesh frames).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseRoomPost } from '@sigmesh/protocol';
import { mutatedBytes } from '../lib/byte-mutations.js';
import { fuzzTarget } from '../lib/fuzz-target.js';
import { mutatedJson } from '../lib/json-mutations.js';
import { jsonText } from '../lib/json-tree.js';
import { parsedValue, reserializes, valueOrCode } from '../lib/oracles.js';
import { parseJsonBody } from '../../packages/node/src/http/json-body.js';
import { sseChunk } from '../../packages/node/src/rooms/sse-chunk.js';
import { asTree, messageId, peerId } from './protocol-seeds.js';

const post = fc.record(
  { data: fc.jsonValue({ maxDepth: 4 }), to: peerId },
  { requiredKeys: ['data'] },
);

const body = fc.oneof(
  {
    weight: 3,
    arbitrary: mutatedJson(post.map(asTree)).map(({ tree, valid }) => ({
      bytes: Buffer.from(jsonText(tree)),
      valid,
    })),
  },
  {
    weight: 1,
    arbitrary: mutatedBytes(post.map((p) => new Uint8Array(Buffer.from(JSON.stringify(p))))).map(
      (bytes) => ({ bytes: Buffer.from(bytes), valid: false }),
    ),
  },
);

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export const roomPostTarget = fuzzTarget({
  name: 'room-post',
  covers: [
    'parseJsonBody (packages/node/src/http/json-body.ts)',
    'parseRoomPost (packages/protocol/src/messages.ts)',
    'sseChunk (packages/node/src/rooms/sse-chunk.ts)',
  ],
  inputs: fc.tuple(body, messageId, peerId).map(([b, id, from]) => ({ ...b, id, from })),
  check({ bytes, valid, id, from }: { bytes: Buffer; valid: boolean; id: string; from: string }) {
    const json = valueOrCode(() => parseJsonBody(bytes), ['BAD_UTF8', 'BAD_JSON']);
    // Refused for the right reason: BAD_UTF8 exactly when the bytes are not UTF-8.
    let text: string | undefined;
    try {
      text = strictUtf8.decode(bytes);
    } catch {
      text = undefined;
    }
    if ('code' in json) {
      assert.equal(json.code, text === undefined ? 'BAD_UTF8' : 'BAD_JSON');
      assert.ok(!valid, `a valid body was refused: ${json.code}`);
      return;
    }
    const result = parsedValue(parseRoomPost(json.value), ['ROOM_MESSAGE_INVALID']);
    if (result === undefined) {
      assert.ok(!valid, 'a valid post was refused');
      return;
    }
    // What the node does next with it: an SSE message event (and the same object in a mesh frame).
    const event =
      result.to === undefined
        ? { id, from, data: result.data }
        : { id, from, to: result.to, data: result.data };
    reserializes(event);
    sseChunk('message', event);
    if (valid) assert.deepEqual(result, JSON.parse(bytes.toString('utf8')));
  },
});
