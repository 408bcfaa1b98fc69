import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { deriveRoomHash, isRoomHash, parseRoomHash } from '../src/room-hash.js';

test('deriveRoomHash is sha1("sigmesh:v1:" + appId + NUL + room) in hex', () => {
  const expected = createHash('sha1').update('sigmesh:v1:my-app\0lobby').digest('hex');
  assert.equal(deriveRoomHash('my-app', 'lobby'), expected);
  assert.ok(isRoomHash(expected));
});

test('the separator keeps app and room apart', () => {
  assert.notEqual(deriveRoomHash('a:b', 'c'), deriveRoomHash('a', 'b:c'));
  assert.notEqual(deriveRoomHash('app', 'room'), deriveRoomHash('app2', 'room'));
  assert.throws(() => deriveRoomHash('', 'room'), TypeError);
});

test('parseRoomHash accepts 40 lowercase hex characters only', () => {
  assert.ok(parseRoomHash('0123456789abcdef0123456789abcdef01234567').ok);
  for (const bad of ['', 'abc', 'A'.repeat(40), 'g'.repeat(40), 'a'.repeat(41), 42, null]) {
    const result = parseRoomHash(bad);
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.code, 'ROOM_HASH_INVALID');
  }
});
