import assert from 'node:assert/strict';
import { test } from 'node:test';
import { protocolLimits } from '../src/limits.js';
import { parseMessageEvent, parseRoomPost } from '../src/messages.js';

const peer = 'a'.repeat(32);

test('room posts are { data, to? } and nothing else', () => {
  assert.deepEqual(parseRoomPost({ data: { sdp: 'x' } }), {
    ok: true,
    value: { data: { sdp: 'x' } },
  });
  assert.deepEqual(parseRoomPost({ data: null, to: peer }), {
    ok: true,
    value: { data: null, to: peer },
  });
  for (const bad of [null, [], 'x', {}, { data: 1, to: 'bob' }, { data: 1, from: peer }]) {
    const result = parseRoomPost(bad);
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.code, 'ROOM_MESSAGE_INVALID');
  }
});

test('message events need an id and a sender', () => {
  const id = 'b'.repeat(32);
  assert.ok(parseMessageEvent({ id, from: peer, data: 1 }).ok);
  assert.equal(parseMessageEvent({ id: 'short', from: peer, data: 1 }).ok, false);
  assert.equal(parseMessageEvent({ id, from: peer }).ok, false);
});

// Fuzzing regression (room-post target): `{"data":` + 5,000 `[` + `null` + 5,000 `]` + `}`, a
// 10,013-byte body (allowed once --max-message-bytes is raised): parsed, accepted, and then the
// node's JSON.stringify of the message event threw RangeError (a 500 and an error log for a
// client's post; relayed over the mesh, a crash). Data nests at most maxDataDepth levels.
test('a post whose data nests deeper than maxDataDepth is refused', () => {
  const body = `{"data":${'['.repeat(5000)}null${']'.repeat(5000)}}`;
  assert.equal(body.length, 10_013);
  const result = parseRoomPost(JSON.parse(body));
  assert.equal(result.ok, false);
  if (!result.ok) assert.equal(result.code, 'ROOM_MESSAGE_INVALID');
  const nest = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);
  assert.equal(parseRoomPost({ data: nest(protocolLimits.maxDataDepth) }).ok, true);
  assert.equal(parseRoomPost({ data: nest(protocolLimits.maxDataDepth + 1) }).ok, false);
});
