import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveRoomHash } from '@sigmesh/protocol';
import { RoomShares } from '../../src/mesh/room-shares.js';

const [busy, quiet, third] = ['busy', 'quiet', 'third'].map((name) =>
  deriveRoomHash('shares', name),
) as [
  ReturnType<typeof deriveRoomHash>,
  ReturnType<typeof deriveRoomHash>,
  ReturnType<typeof deriveRoomHash>,
];

function send(shares: RoomShares, room: typeof busy, count: number, now: number): number {
  let sent = 0;
  for (let i = 0; i < count; i++) if (shares.take(room, now)) sent++;
  return sent;
}

test('room shares: nothing is rationed while a link carries less than half its budget', () => {
  const shares = new RoomShares(1000);
  assert.equal(send(shares, busy, 499, 0), 499);
  assert.equal(send(shares, quiet, 1, 0), 1);
});

test('room shares: a room flooding a link is held to its share; a quiet room still gets through', () => {
  const shares = new RoomShares(1000);
  let now = 0;
  for (let second = 0; second < 5; second++, now += 1000) {
    // The busy room sends first every second, as a flood would.
    const flooded = send(shares, busy, 5000, now);
    const calm = send(shares, quiet, 100, now);
    assert.equal(calm, 100, `second ${second}: every quiet message sent`);
    assert.ok(flooded + calm <= 1000, 'never past the link budget');
    assert.ok(flooded >= 333, `second ${second}: the busy room keeps its third (${flooded})`);
  }
  // A third room joins the rush: the busy one's share shrinks, the others get theirs.
  const a = send(shares, busy, 5000, now);
  const b = send(shares, third, 5000, now);
  const c = send(shares, quiet, 100, now);
  assert.equal(c, 100);
  assert.ok(b >= 250, `the third room got ${b}`);
  assert.ok(a + b + c <= 1000);
});
