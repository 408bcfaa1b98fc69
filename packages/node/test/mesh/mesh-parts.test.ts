import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveRoomHash } from '@sigmesh/protocol';
import { DialTargets } from '../../src/mesh/dial-targets.js';
import { replacesLink, type LinkOrigin } from '../../src/mesh/duplicate-links.js';
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

test('duplicate links: both ends keep the same one, whatever order each saw them open in', () => {
  // Each end keeps the first link that opened and replaces it with a later one only if
  // replacesLink says so. Two links between nodes a and b, dialed by either, in every order.
  const keeps = (opened: readonly LinkOrigin[]): LinkOrigin =>
    opened.reduce((kept, next) => (replacesLink(next, kept) ? next : kept));
  for (const [d1, d2] of [
    ['a', 'a'],
    ['a', 'b'],
    ['b', 'a'],
    ['b', 'b'],
  ] as const) {
    const one: LinkOrigin = { dialer: d1, nonce: 'nonce-1' };
    const two: LinkOrigin = { dialer: d2, nonce: 'nonce-2' };
    // One end saw `one` open first, the other `two`.
    assert.equal(keeps([one, two]), keeps([two, one]), `dialed by ${d1} and ${d2}`);
  }
  assert.equal(
    keeps([
      { dialer: 'b', nonce: '0' },
      { dialer: 'a', nonce: '9' },
    ]).dialer,
    'a',
    'the link dialed by the lower id wins, whatever its nonce',
  );
});

test('a dial target whose link lost a duplicate race follows the link that won: redialed when that one drops', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const ours = {} as unknown as MeshLink;
  const winner = {} as unknown as MeshLink; // another dial of ours to the same node, or its dial to us
  let dials = 0;
  const targets = new DialTargets({
    connect: () => {
      dials++;
      return ours;
    },
    stillWanted: () => true,
  });
  targets.want('http://b.example', r1);
  assert.equal(dials, 1);
  targets.closed(ours, false, winner); // a duplicate's close: never redialed
  t.mock.timers.tick(60_000);
  targets.want('http://b.example', r1);
  assert.equal(dials, 1, 'linked through the winner: no new dial');
  targets.closed(winner, true); // the link that won drops later
  t.mock.timers.tick(1_250);
  assert.equal(dials, 2, 'the target redials once the link that won is gone');
});
