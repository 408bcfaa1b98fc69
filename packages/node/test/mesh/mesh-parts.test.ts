import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveRoomHash } from '@sigmesh/protocol';
import { LinkInterests } from '../../src/mesh/link-interests.js';
import { admissionPrice, evictionVictim } from '../../src/mesh/link-slots.js';
import type { MeshLink } from '../../src/mesh/mesh-link.js';
import { Reputation } from '../../src/mesh/reputation.js';

const [r1, r2, r3] = ['a', 'b', 'c'].map((name) => deriveRoomHash('unit', name)) as [
  ReturnType<typeof deriveRoomHash>,
  ReturnType<typeof deriveRoomHash>,
  ReturnType<typeof deriveRoomHash>,
];

test('blinded interests: two ends share exactly the rooms both have; tokens differ per link', () => {
  const a = new LinkInterests('nonce-a', 'nonce-b');
  const b = new LinkInterests('nonce-b', 'nonce-a');
  const other = new LinkInterests('nonce-a', 'nonce-c');
  assert.equal(a.token(r1), b.token(r1), 'both ends derive the same key');
  assert.notEqual(a.token(r1), other.token(r1), 'a token means nothing on another link');
  assert.ok(!a.token(r1).includes(r1));
  const t1 = a.addOurs(r1).token;
  a.addOurs(r2);
  assert.equal(b.addTheirs(t1), undefined, 'b has no r1 yet');
  assert.equal(b.addOurs(r1).shared, true, 'b opens r1: shared at once');
  assert.equal(a.addTheirs(b.token(r1)), r1);
  assert.equal(a.addTheirs(b.token(r3)), undefined, 'a room a does not have stays unknown to a');
  assert.deepEqual([...a.shared], [r1]);
  assert.equal(a.removeTheirs(b.token(r1)), r1);
  assert.deepEqual([...a.shared], []);
});

test('reputation: points add up to a ban of at least a half-life, and decay', () => {
  let now = 0;
  const rep = new Reputation({ banPoints: 100, halfLifeMs: 1000, maxEntries: 2, now: () => now });
  assert.equal(rep.penalize(['n'], 60), false);
  assert.equal(rep.penalize(['n'], 60), true);
  assert.ok(rep.banned(['n']));
  now = 999;
  assert.ok(
    rep.points('n') < 100 && rep.banned(['n']),
    'a ban lasts a half-life however the points decay',
  );
  now = 1000;
  assert.ok(!rep.banned(['n']), '120 → 60 after one half-life');
  assert.ok(Math.abs(rep.points('n') - 60) < 1e-9);
  rep.penalize(['x'], 1);
  rep.penalize(['y'], 1);
  assert.equal(rep.points('n'), 0, 'the least recent entry was forgotten (bounded)');
});

test('admission work grows with how full the link slots are', () => {
  assert.equal(admissionPrice(0, 64, 4096, 1 << 18), 4096);
  assert.equal(admissionPrice(32, 64, 4096, 1 << 18), 4096);
  assert.equal(admissionPrice(40, 64, 4096, 1 << 18), 4096 * 4);
  assert.equal(admissionPrice(64, 64, 4096, 1 << 18), 1 << 18);
  assert.equal(admissionPrice(64, 64, 0, 1 << 18), 0);
});

test('eviction takes a stranger we did not dial, the longest without a shared room; never a sharer', () => {
  const link = (dialed: boolean, lastShared: number, shared: number, url = 'x'): MeshLink =>
    ({
      dialed,
      lastShared,
      remoteUrl: url,
      interests: { shared: new Set(Array.from({ length: shared }, (_, i) => `${i}`)) },
    }) as unknown as MeshLink;
  const sharer = link(false, 0, 2);
  const ours = link(true, 0, 0);
  const older = link(false, 5, 0);
  const newer = link(false, 9, 0);
  const pinned = link(false, 1, 0, 'static');
  const isPinned = (l: MeshLink): boolean => l.remoteUrl === 'static';
  assert.equal(evictionVictim([sharer, ours, newer, older, pinned], isPinned), older);
  assert.equal(evictionVictim([sharer, ours], isPinned), ours);
  assert.equal(evictionVictim([sharer, pinned], isPinned), undefined);
});
