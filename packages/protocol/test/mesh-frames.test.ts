import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  MESH_MAX_OWNERS_PER_FRAME,
  MESH_MAX_PEERS_PER_FRAME,
  MESH_PROTOCOL_VERSION,
  deriveRoomHash,
  linkKeyText,
  parseMeshFrame,
  protocolLimits,
  rosterDigestText,
  type MeshFrame,
  type PeerId,
} from '../src/index.js';

const id = 'ab'.repeat(32);
const room = deriveRoomHash('unit', 'mesh');
const sig = 'A'.repeat(86);
const hash = 'B'.repeat(43);
const token = 'C'.repeat(22);
const peer = 'd'.repeat(32) as PeerId;
const epoch = '0123456789abcdef';

const good: MeshFrame[] = [
  {
    t: 'hello',
    node: id,
    nonce: hash,
    url: 'http://x',
    version: '1',
    proto: MESH_PROTOCOL_VERSION,
    admit: 4096,
  },
  { t: 'auth', sig },
  { t: 'auth', sig, work: 123 },
  { t: 'interest', add: [token], remove: [] },
  {
    t: 'anchor',
    owner: id,
    epoch,
    started: 1,
    chain: 0,
    root: hash,
    length: 3600,
    interval: 1000,
    sig,
  },
  { t: 'beats', beats: [{ owner: id, epoch, chain: 0, i: 1, h: hash }] },
  { t: 'withdraw', owners: [id] },
  { t: 'roster', room, owner: id, epoch, ver: 5, members: [peer], part: 0, parts: 1, sig },
  { t: 'delta', room, owner: id, epoch, base: 4, ver: 5, add: [peer], remove: [], sig },
  { t: 'want', owner: id },
  { t: 'want', owner: id, room },
  { t: 'message', id: 'e'.repeat(32), room, from: peer, data: { any: 'json' }, hops: 3 },
  { t: 'message', id: 'e'.repeat(32), room, from: peer, to: peer, data: null, hops: 0 },
];

test('every frame type parses back to itself', () => {
  for (const frame of good) {
    const result = parseMeshFrame(JSON.parse(JSON.stringify(frame)));
    assert.ok(result.ok, `${frame.t}: ${result.ok ? '' : result.message}`);
    assert.deepEqual(result.value, frame);
  }
});

test('out-of-bounds and malformed fields are refused with MESH_FRAME_INVALID', () => {
  const bad: unknown[] = [
    null,
    [],
    { t: 'nope' },
    { t: 'hello', node: id, nonce: hash, url: 'x', version: '1', proto: 2 }, // no admit
    { t: 'auth', sig, work: -1 },
    { t: 'interest', add: Array(257).fill(token), remove: [] },
    { t: 'interest', add: [room], remove: [] }, // a raw room hash is not a token
    {
      t: 'anchor',
      owner: id,
      epoch,
      started: 1,
      chain: 0,
      root: hash,
      length: 0,
      interval: 1000,
      sig,
    },
    {
      t: 'anchor',
      owner: id,
      epoch,
      started: 1,
      chain: 0,
      root: hash,
      length: 10,
      interval: 50,
      sig,
    },
    {
      t: 'beats',
      beats: Array(MESH_MAX_OWNERS_PER_FRAME + 1).fill({
        owner: id,
        epoch,
        chain: 0,
        i: 1,
        h: hash,
      }),
    },
    { t: 'beats', beats: [{ owner: id, epoch, chain: 0, i: 0, h: hash }] },
    {
      t: 'roster',
      room,
      owner: id,
      epoch,
      ver: 1,
      members: Array(MESH_MAX_PEERS_PER_FRAME + 1).fill(peer),
      part: 0,
      parts: 1,
      sig,
    },
    { t: 'roster', room, owner: id, epoch, ver: 1, members: [], part: 1, parts: 1, sig },
    { t: 'delta', room, owner: id, epoch, base: 5, ver: 5, add: [], remove: [], sig },
    { t: 'delta', room, owner: id, epoch, base: 1, ver: 2, add: ['XYZ'], remove: [], sig },
    { t: 'message', id: 'e'.repeat(32), room, from: peer, data: 1, hops: 17 },
    { t: 'message', id: 'e'.repeat(32), room, from: peer, hops: 1 },
  ];
  for (const value of bad) {
    const result = parseMeshFrame(value);
    assert.ok(!result.ok, JSON.stringify(value).slice(0, 80));
    assert.equal(result.code, 'MESH_FRAME_INVALID');
  }
});

test('the parser never throws, whatever JSON it is given', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      parseMeshFrame(value);
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.constantFrom(...good), fc.string(), fc.jsonValue(), (frame, key, value) => {
      parseMeshFrame({ ...frame, [key]: value });
    }),
    { numRuns: 2000 },
  );
});

test('signing texts: the link key input does not depend on which end builds it; digests sort', () => {
  assert.equal(linkKeyText('a', 'b'), linkKeyText('b', 'a'));
  assert.equal(rosterDigestText([peer, 'a'.repeat(32)]), `${'a'.repeat(32)}\n${peer}`);
});

// Fuzzing regression (mesh-frames target): a message frame whose data nests 30,000 levels passed
// parseMeshFrame; writing it on to members (JSON.stringify) threw in the link's message handler
// and took the node down. See also integration/mesh/hostile-node-deep-json.test.ts.
test('message frames nesting their data past maxDataDepth are invalid', () => {
  const frame = (depth: number): unknown =>
    JSON.parse(
      `{"t":"message","id":"${'0'.repeat(32)}","room":"${room}","from":"${peer}","hops":0,"data":${'['.repeat(depth)}${']'.repeat(depth)}}`,
    );
  const deep = parseMeshFrame(frame(30_000));
  assert.equal(deep.ok, false);
  if (!deep.ok) assert.equal(deep.code, 'MESH_FRAME_INVALID');
  assert.equal(parseMeshFrame(frame(protocolLimits.maxDataDepth)).ok, true);
  assert.equal(parseMeshFrame(frame(protocolLimits.maxDataDepth + 1)).ok, false);
});
