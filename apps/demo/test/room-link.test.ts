import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MAX_ROOM_LENGTH, parseRoomLink, roomLinkHash } from '../src/room-link.js';

test('a shared link reads back as the room and the password flag it was made from', () => {
  fc.assert(
    fc.property(
      fc
        .string({ minLength: 1, maxLength: MAX_ROOM_LENGTH })
        .filter((room) => room.trim() === room),
      fc.boolean(),
      (room, passwordNeeded) => {
        assert.deepEqual(parseRoomLink(roomLinkHash({ room, passwordNeeded })), {
          room,
          passwordNeeded,
        });
      },
    ),
  );
});

test('links carry a flag for the password, never a password', () => {
  assert.equal(roomLinkHash({ room: 'team sync', passwordNeeded: true }), '#room=team+sync&pw=1');
  assert.deepEqual(parseRoomLink('#room=lobby'), { room: 'lobby', passwordNeeded: false });
  assert.deepEqual(parseRoomLink(''), { room: '', passwordNeeded: false });
  assert.deepEqual(parseRoomLink('#pw=1'), { room: '', passwordNeeded: true });
  assert.equal(parseRoomLink(`#room=${'x'.repeat(500)}`).room.length, MAX_ROOM_LENGTH);
});
