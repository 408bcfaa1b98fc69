import assert from 'node:assert/strict';
import { test } from 'node:test';
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
