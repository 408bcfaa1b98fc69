import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { deriveRoomHash, type RoomHash } from '@sigmesh/protocol';
import { RoomOverlay } from '../../src/mesh/room-overlay.js';

const room = deriveRoomHash('room-overlay', 'unit');

/** A room overlay over a recorded set of wanted URLs and links (as the mesh's dial targets). */
function overlayOf(degree: number) {
  let now = 0;
  const wanted = new Set<string>();
  const links = new Map<string, { openedAt: number; shared: Set<RoomHash> }>();
  const lookups: RoomHash[] = [];
  const overlay = new RoomOverlay({
    degree,
    seed: 'seed',
    now: () => now,
    host: {
      selfUrl: () => 'http://self:1',
      linkedIn: (r) => [...links].filter(([, l]) => l.shared.has(r)).map(([url]) => url),
      linkAt: (url) => links.get(url),
      hasLocal: () => true,
      want: (url) => wanted.add(url),
      unwant: (url) => wanted.delete(url),
      lookup: (r) => lookups.push(r),
    },
  });
  return { overlay, wanted, links, lookups, advance: (ms: number) => (now += ms) };
}

test('room overlay: a bounded pick; a pick that goes down is replaced at once, and back later', async (t) => {
  const { overlay, wanted, advance } = overlayOf(2);
  t.after(() => overlay.stop());
  for (let i = 0; i < 6; i++) overlay.found(`http://n${i}:1`, room);
  await tick();
  assert.equal(wanted.size, 2);
  const [first] = [...wanted];
  overlay.down(first!);
  await tick();
  assert.equal(wanted.size, 2, 'another node took its place');
  assert.ok(!wanted.has(first!));
  advance(60_000);
  overlay.changed(room);
  await tick();
  assert.ok(wanted.has(first!), 'after its wait it is a candidate again, and ranks as before');
});

test('room overlay: a pick linked for a while without sharing the room has left it, and is replaced', async (t) => {
  const { overlay, wanted, links, advance } = overlayOf(2);
  t.after(() => overlay.stop());
  for (let i = 0; i < 6; i++) overlay.found(`http://n${i}:1`, room);
  await tick();
  const [gone, stays] = [...wanted] as [string, string];
  links.set(gone, { openedAt: 0, shared: new Set() });
  links.set(stays, { openedAt: 0, shared: new Set([room]) });
  advance(500);
  overlay.prune(1000);
  await tick();
  assert.ok(wanted.has(gone), 'not yet: its interests may still be on their way');
  advance(1000);
  overlay.prune(1000);
  await tick();
  assert.ok(!wanted.has(gone) && wanted.has(stays) && wanted.size === 2);
});

test('room overlay: a room short of nodes after losing a link is looked up again, at most every 10 s', async (t) => {
  const { overlay, lookups, advance } = overlayOf(3);
  t.after(() => overlay.stop());
  overlay.found('http://n0:1', room);
  await tick();
  assert.deepEqual(lookups, [], 'no loss, no extra lookup');
  overlay.lost(room);
  await tick();
  overlay.lost(room);
  await tick();
  assert.deepEqual(lookups, [room]);
  advance(10_000);
  overlay.lost(room);
  await tick();
  assert.deepEqual(lookups, [room, room]);
});
