/**
 * Documents a node sends a client, which the client parses at its trust boundary: `GET /`,
 * `GET /nodes`, `GET /status`, `POST /token` answers, post results, PoW offers, error bodies,
 * and the room hash every room route takes from its path.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  parseErrorBody,
  parseNodeInfo,
  parseNodeList,
  parseNodeStatus,
  parsePostResult,
  parsePowOffer,
  parseRoomHash,
  parseTokenResult,
  powScopes,
  type ParseResult,
} from '@sigmesh/protocol';
import { fuzzTarget } from '../lib/fuzz-target.js';
import { mutatedJson } from '../lib/json-mutations.js';
import { jsonText, type JsonTree } from '../lib/json-tree.js';
import { parsedValue, reserializes } from '../lib/oracles.js';
import {
  asTree,
  challengeText,
  count,
  fraction,
  messageId,
  nodeId,
  powOffer,
  roomHash,
} from './protocol-seeds.js';

const url = fc.oneof(fc.constantFrom('http://127.0.0.1:8000', 'https://node.example'), fc.webUrl());
const version = fc.constantFrom('0.1.0', '1.2.3-beta');

const nodeInfo = fc.record({
  node: fc.record({ id: nodeId, version, publicUrl: url }),
  pow: fc.oneof(
    fc.record({
      price: count,
      ttl: count,
      challenges: fc
        .tuple(...powScopes.map(() => challengeText))
        .map((texts) => Object.fromEntries(powScopes.map((scope, i) => [scope, texts[i]]))),
    }),
    fc.record({
      price: count,
      ttl: count,
      refused: fc.record({
        code: fc.constantFrom('RATE_LIMITED', 'NODE_OVERLOADED'),
        retryAfter: fc.integer({ min: 1, max: 3600 }),
      }),
    }),
  ),
  load: fc.record({ cpu: fraction, mem: fraction, smoothed: fraction }),
  limits: fc.record({ maxMessageBytes: count }),
});

const nodeList = fc.record({
  nodes: fc.array(fc.record({ id: nodeId, url, price: count, version, verifiedAt: count }), {
    maxLength: 4,
  }),
});

const nodeStatus = fc.record({
  node: fc.record({ id: nodeId, version, url }),
  uptimeSeconds: count,
  price: count,
  load: fc.record({ cpu: fraction, mem: fraction, smoothed: fraction }),
  rooms: fc.record({ rooms: count, members: count }),
  dht: fc.record({
    bootstrap: fc.constantFrom('mainline', 'none'),
    bootstrapped: fc.boolean(),
    routingTableSize: count,
  }),
  turn: fc.record({ mode: fc.constantFrom('built-in', 'external', 'off'), allocations: count }),
  links: fc.array(fc.record({ id: nodeId, url }), { maxLength: 3 }),
});

const tokenResult = fc.record({
  iceServers: fc.array(
    fc
      .record(
        {
          urls: fc.array(
            fc.constantFrom(
              'stun:127.0.0.1:3478',
              'turn:127.0.0.1:3478?transport=udp',
              'turns:x.example:443',
            ),
            { minLength: 1, maxLength: 3 },
          ),
          username: fc.constantFrom('1800000000:abc'),
          credential: fc.base64String(),
        },
        { requiredKeys: ['urls'] },
      )
      .filter((server) => 'username' in server === 'credential' in server),
    { maxLength: 3 },
  ),
  ttl: fc.integer({ min: 1, max: 86_400 }),
  next: powOffer,
});

const postResult = fc.record({ id: messageId, delivered: count, next: powOffer });
const errorBody = fc.record({
  code: fc.constantFrom('BAD_JSON', 'RATE_LIMITED', 'POW_REQUIRED'),
  message: fc.string(),
});

/** A document kind: its generator and its parser, answering a typed value or a typed failure. */
interface DocumentKind {
  readonly name: string;
  readonly seed: fc.Arbitrary<unknown>;
  readonly parse: (value: unknown) => ParseResult<unknown>;
}

const kinds: readonly DocumentKind[] = [
  { name: 'node info', seed: nodeInfo, parse: parseNodeInfo },
  { name: 'node list', seed: nodeList, parse: parseNodeList },
  { name: 'node status', seed: nodeStatus, parse: parseNodeStatus },
  { name: 'token result', seed: tokenResult, parse: parseTokenResult },
  { name: 'post result', seed: postResult, parse: parsePostResult },
  { name: 'pow offer', seed: powOffer, parse: parsePowOffer },
  { name: 'room hash', seed: roomHash, parse: parseRoomHash },
  {
    name: 'error body',
    seed: errorBody,
    parse: (value) => {
      const body = parseErrorBody(value);
      return body === undefined
        ? { ok: false, code: 'BAD_REQUEST', message: 'not an error body' }
        : { ok: true, value: body };
    },
  },
];

export const nodeDocumentsTarget = fuzzTarget({
  name: 'node-documents',
  covers: [
    'parseNodeInfo, parseNodeList, parsePostResult, parsePowOffer (packages/protocol/src/messages.ts)',
    'parseNodeStatus (status-messages.ts), parseTokenResult (turn-token.ts), parseErrorBody (sigmesh-error.ts)',
    'parseRoomHash (room-hash.ts)',
  ],
  inputs: fc.integer({ min: 0, max: kinds.length - 1 }).chain((index) =>
    mutatedJson(kinds[index]!.seed.map(asTree)).map(({ tree, valid }) => ({
      index,
      text: jsonText(tree),
      valid,
    })),
  ),
  check({ index, text, valid }: { index: number; text: string; valid: boolean }) {
    const kind = kinds[index]!;
    const value = parsedValue(kind.parse(JSON.parse(text) as JsonTree));
    if (value === undefined) {
      assert.ok(!valid, `a valid ${kind.name} was refused`);
      return;
    }
    // What a parser accepts is a fixed point: parsed again from its own JSON, it is the same.
    const again = parsedValue(kind.parse(reserializes(value)));
    assert.ok(again !== undefined, `a parsed ${kind.name} is refused when parsed again`);
    assert.equal(JSON.stringify(again), JSON.stringify(value));
  },
});
