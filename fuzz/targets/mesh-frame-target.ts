/**
 * Node-to-node frames (`/mesh`, protocol version 2): each WebSocket text message through
 * `JSON.parse` and `parseMeshFrame`, as `mesh-link.ts` reads them. A node re-sends what it accepts
 * (relayed rosters, deltas, beats, messages), so every accepted frame must serialize again.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  MESH_MAX_CHAIN_LENGTH,
  MESH_MAX_HOPS,
  MESH_PROTOCOL_VERSION,
  parseMeshFrame,
  type MeshFrame,
} from '@sigmesh/protocol';
import { fuzzTarget } from '../lib/fuzz-target.js';
import { mutatedJson } from '../lib/json-mutations.js';
import { jsonText } from '../lib/json-tree.js';
import { parsedValue, reserializes } from '../lib/oracles.js';
import { asTree, base64urlOf, messageId, nodeId, peerId, roomHash } from './protocol-seeds.js';

const sig = base64urlOf(64);
const hash32 = base64urlOf(32);
const token = base64urlOf(16);
const epoch = fc
  .uint8Array({ minLength: 8, maxLength: 8 })
  .map((b) => Buffer.from(b).toString('hex'));
const version = fc.oneof(fc.constantFrom(0, Number.MAX_SAFE_INTEGER), fc.nat());
const peers = fc.array(peerId, { maxLength: 6 });

const frame: fc.Arbitrary<MeshFrame> = fc.oneof(
  fc.record({
    t: fc.constant('hello' as const),
    node: nodeId,
    nonce: hash32,
    url: fc.webUrl(),
    version: fc.constantFrom('0.1.0'),
    proto: fc.constant(MESH_PROTOCOL_VERSION),
    admit: fc.nat(),
  }),
  fc.record(
    { t: fc.constant('auth' as const), sig, work: fc.nat() },
    { requiredKeys: ['t', 'sig'] },
  ),
  fc.record({
    t: fc.constant('interest' as const),
    add: fc.array(token, { maxLength: 4 }),
    remove: fc.array(token, { maxLength: 4 }),
  }),
  fc.record({
    t: fc.constant('anchor' as const),
    owner: nodeId,
    epoch,
    started: fc.nat(),
    chain: fc.nat(),
    root: hash32,
    length: fc.integer({ min: 1, max: MESH_MAX_CHAIN_LENGTH }),
    interval: fc.integer({ min: 100, max: 60_000 }),
    sig,
  }),
  fc.record({
    t: fc.constant('beats' as const),
    beats: fc.array(
      fc.record({
        owner: nodeId,
        epoch,
        chain: fc.nat(),
        i: fc.integer({ min: 1, max: MESH_MAX_CHAIN_LENGTH }),
        h: hash32,
      }),
      { maxLength: 4 },
    ),
  }),
  fc.record({ t: fc.constant('withdraw' as const), owners: fc.array(nodeId, { maxLength: 4 }) }),
  fc.integer({ min: 1, max: 5 }).chain((parts) =>
    fc.record({
      t: fc.constant('roster' as const),
      room: roomHash,
      owner: nodeId,
      epoch,
      ver: version,
      members: peers,
      part: fc.integer({ min: 0, max: parts - 1 }),
      parts: fc.constant(parts),
      sig,
    }),
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 1000 })).chain(([base, step]) =>
    fc.record({
      t: fc.constant('delta' as const),
      room: roomHash,
      owner: nodeId,
      epoch,
      base: fc.constant(base),
      ver: fc.constant(base + step),
      add: peers,
      remove: peers,
      sig,
    }),
  ),
  fc.record(
    { t: fc.constant('want' as const), owner: nodeId, room: roomHash },
    { requiredKeys: ['t', 'owner'] },
  ),
  fc.record(
    {
      t: fc.constant('message' as const),
      id: messageId,
      room: roomHash,
      from: peerId,
      to: peerId,
      data: fc.jsonValue({ maxDepth: 4 }),
      hops: fc.integer({ min: 0, max: MESH_MAX_HOPS }),
    },
    { requiredKeys: ['t', 'id', 'room', 'from', 'data', 'hops'] },
  ),
);

/** Mesh frames of every type as text, about three in four of them mutated. */
export const meshFrameText: fc.Arbitrary<string> = mutatedJson(frame.map(asTree)).map(({ tree }) =>
  jsonText(tree),
);

export const meshFrameTarget = fuzzTarget({
  name: 'mesh-frames',
  covers: [
    'parseMeshFrame (packages/protocol/src/mesh-frames.ts), after JSON.parse as mesh-link.ts does',
  ],
  inputs: mutatedJson(frame.map(asTree)).map(({ tree, valid }) => ({
    text: jsonText(tree),
    valid,
  })),
  check({ text, valid }: { text: string; valid: boolean }) {
    const parsed = parsedValue(parseMeshFrame(JSON.parse(text)), ['MESH_FRAME_INVALID']);
    if (parsed === undefined) {
      assert.ok(!valid, 'a valid frame was refused');
      return;
    }
    // Round trip: the node sends accepted frames on; read back, each is the same frame.
    const again = parsedValue(parseMeshFrame(reserializes(parsed)));
    assert.ok(again !== undefined, `a parsed ${parsed.t} frame is refused when parsed again`);
    assert.equal(JSON.stringify(again), JSON.stringify(parsed));
    if (valid) assert.equal(JSON.stringify(parsed), text, 'a valid frame parses to itself');
  },
});
