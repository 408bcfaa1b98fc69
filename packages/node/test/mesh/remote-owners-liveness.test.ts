import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linkA, linkB, owner, peer, table } from './remote-owners-fixture.js';
import { largestRoomSpan } from '../../src/mesh/presence/beat-pacing.js';

// Liveness: beats, leases, routes and relays.

test('members count while their owner beats, leave when the beats stop, and come back with a newer beat', () => {
  const t = table();
  const o = owner(t.now);
  assert.equal(t.owners.anchor(linkA, o.own.anchor()).kind, 'accepted');
  assert.equal(t.owners.beat(linkA, o.own.currentBeat()).kind, 'accepted');
  for (const delta of o.members(peer(1), peer(2))) t.owners.delta(linkA, delta);
  assert.deepEqual(t.view, new Set([peer(1), peer(2)]));
  t.advance(3_000);
  assert.equal(t.view.size, 2, 'within the lease');
  t.advance(1_500);
  assert.equal(t.view.size, 0, 'the lease ran out');
  assert.deepEqual(t.gone, [o.own.anchor().owner]);
  assert.equal(
    t.owners.beat(linkA, o.own.currentBeat()).kind,
    'duplicate',
    'the old beat proves nothing',
  );
  t.advance(100);
  assert.equal(t.view.size, 0);
  t.owners.beat(linkA, o.own.nextBeat().beat);
  assert.equal(t.view.size, 2, 'a newer beat brings them back');
});

test('losing a route: a newer beat through another link keeps the owner; none within the grace, it is gone', () => {
  const t = table();
  const o = owner(t.now);
  t.owners.anchor(linkA, o.own.anchor());
  t.owners.beat(linkA, o.own.currentBeat());
  t.owners.beat(linkB, o.own.currentBeat()); // the same beat relayed by another node
  for (const delta of o.members(peer(1))) t.owners.delta(linkA, delta);
  t.owners.linkClosed(linkA, o.own.anchor().owner); // the owner's own link
  assert.equal(t.view.size, 1, 'still reachable through B for now');
  t.advance(1_000);
  t.owners.beat(linkB, o.own.nextBeat().beat);
  t.advance(1_500);
  assert.equal(t.view.size, 1, 'a newer beat came through B');

  t.owners.withdraw(linkB, o.own.anchor().owner); // B no longer reaches it either
  assert.equal(t.view.size, 0, 'no route left: gone at once');
});

test('losing a relay while the owner’s own link brings its beats puts nothing on trial: a late beat still keeps it', () => {
  const t = table({}, () => linkA);
  const o = owner(t.now);
  t.owners.anchor(linkA, o.own.anchor());
  t.owners.beat(linkA, o.own.currentBeat());
  t.owners.beat(linkB, o.own.currentBeat()); // a third node relays the same beat
  for (const delta of o.members(peer(1))) t.owners.delta(linkA, delta);
  t.owners.linkClosed(linkB, 'the relay'); // the relay dies
  // The owner's next beat is late (its machine is loaded), yet well within the lease.
  t.advance(2_500);
  assert.equal(t.view.size, 1, 'the owner is linked to us: a dead relay says nothing about it');
  t.owners.beat(linkA, o.own.nextBeat().beat);
  assert.equal(t.view.size, 1);
  t.advance(4_500);
  assert.equal(t.view.size, 0, 'the lease still watches it');
});

// Found by the 4-process SIGKILL test (presence-processes.test.ts): the node started last had
// linked only to the node that was killed (the others came with its next DHT lookup, a second
// later), and every owner it reached through that node was reported gone at once, then back.

test('the only relay to an owner dies: the owner keeps its lease, and a new link carries it on', () => {
  const t = table();
  const o = owner(t.now);
  const linkC = {};
  t.owners.anchor(linkA, o.own.anchor());
  t.owners.beat(linkA, o.own.currentBeat());
  for (const delta of o.members(peer(1))) t.owners.delta(linkA, delta);
  t.owners.linkClosed(linkA, 'the relay'); // the relay dies, not the owner
  assert.equal(t.view.size, 1, 'a relay’s death says nothing about the owner');
  assert.deepEqual(t.gone, []);
  t.advance(2_500);
  assert.equal(t.view.size, 1, 'within the lease');
  // A link to the owner opens: its snapshot brings the beat we have, then its next ones.
  assert.equal(t.owners.beat(linkC, o.own.currentBeat()).kind, 'duplicate');
  assert.equal(t.owners.beat(linkC, o.own.nextBeat().beat).kind, 'accepted');
  t.advance(3_000);
  assert.equal(t.view.size, 1, 'its lease runs from the newer beat');
  t.advance(1_500);
  assert.equal(t.view.size, 0, 'and the lease still watches it');
});

test('an owner behind a dead relay that is dead too: gone when its lease runs out, and no relay cycling its links brings it back', () => {
  const t = table();
  const o = owner(t.now);
  t.owners.anchor(linkA, o.own.anchor());
  const last = o.own.currentBeat();
  t.owners.beat(linkA, last);
  for (const delta of o.members(peer(1))) t.owners.delta(linkA, delta);
  t.owners.linkClosed(linkA, 'the relay');
  // A hostile node links again and again, replaying the owner's last beat, then drops the link.
  for (let i = 0; i < 40; i++) {
    const link = {};
    t.owners.beat(link, last);
    t.advance(125);
    t.owners.linkClosed(link, 'the hostile node');
    t.advance(125);
    if (t.now() - 1_000_000 > 4_250) assert.equal(t.view.size, 0, `gone at ${i}`);
  }
  assert.equal(t.view.size, 0, 'the lease ran out: replays never renew it');
  assert.deepEqual(t.gone, [o.own.anchor().owner]);
  t.owners.beat({}, last);
  assert.equal(t.view.size, 0, 'nor bring it back');
});

test('the owner dies while a relay replays its last beat: gone after the grace, and never back', () => {
  const t = table();
  const o = owner(t.now);
  t.owners.anchor(linkA, o.own.anchor());
  const last = o.own.currentBeat();
  t.owners.beat(linkA, last);
  t.owners.beat(linkB, last);
  for (const delta of o.members(peer(1))) t.owners.delta(linkA, delta);
  t.owners.linkClosed(linkA, o.own.anchor().owner); // the owner's own link drops
  for (let i = 0; i < 30; i++) {
    t.owners.beat(linkB, last); // a replay, every 100 ms
    t.advance(100);
  }
  assert.equal(t.view.size, 0);
});

test('checking beats is charged to the link that brings them', () => {
  const t = table();
  const o = owner(t.now);
  t.owners.anchor(linkA, o.own.anchor());
  for (let i = 0; i < 40; i++) o.own.nextBeat();
  let budget = 30;
  const spend = (hashes: number): boolean => {
    if (hashes > budget) return false;
    budget -= hashes;
    return true;
  };
  const far = o.own.currentBeat(); // 40 steps from the root
  assert.deepEqual(t.owners.beat(linkA, far, spend), {
    kind: 'ignored',
    reason: 'hash budget of the link spent',
  });
  budget = 40;
  assert.equal(t.owners.beat(linkA, far, spend).kind, 'accepted');
  assert.equal(budget, 0);
});

test('the beat an owner sent just before dying, arriving late through a relay, does not keep it', () => {
  const t = table();
  const o = owner(t.now);
  t.owners.anchor(linkA, o.own.anchor());
  t.owners.beat(linkA, o.own.currentBeat());
  t.owners.beat(linkB, o.own.currentBeat());
  for (const delta of o.members(peer(1))) t.owners.delta(linkA, delta);
  const last = o.own.nextBeat().beat; // sent to B, but it dies before writing it to A
  t.owners.linkClosed(linkA, o.own.anchor().owner);
  t.advance(10);
  assert.equal(t.owners.beat(linkB, last).kind, 'accepted', 'a real, newer beat');
  t.advance(2_000);
  assert.equal(t.view.size, 0, 'but it came too soon after the loss to prove the owner alive');
});

// Found by the soak (bench/soak, docs/performance.md § Soak): a member's leave relayed by a third
// node overtook the message the member had sent just before leaving (refused as from an unknown
// member), and rooms closing and reopening on a node left departed members in other nodes' views.

test('an owner whose beats are paced starts a new chain at the new interval, and its lease follows it', () => {
  const t = table();
  const o = owner(t.now);
  t.owners.anchor(linkA, o.own.anchor());
  t.owners.beat(linkA, o.own.currentBeat());
  for (const delta of o.members(peer(1))) t.owners.delta(linkA, delta);
  // Its largest room grew: it beats every 8 s from now on, under a new signed anchor.
  const { beat, anchor } = o.own.nextBeat(8_000);
  assert.ok(anchor !== undefined, 'a new interval is a new chain');
  assert.equal(anchor.interval, 8_000);
  assert.equal(o.own.interval, 8_000);
  assert.equal(t.owners.anchor(linkA, anchor).kind, 'accepted');
  assert.equal(t.owners.beat(linkA, beat).kind, 'accepted');
  // The same interval again: the chain goes on.
  t.advance(8_000);
  assert.equal(o.own.nextBeat(8_000).anchor, undefined);
  t.owners.beat(linkA, o.own.currentBeat());
  // Beats 8 s apart keep it, well past the 4 s lease of the base interval …
  t.advance(8_000);
  t.owners.beat(linkA, o.own.nextBeat(8_000).beat);
  t.advance(20_000);
  assert.equal(t.view.size, 1, 'within 3 intervals (24 s)');
  // … and their stop takes it away after 3 intervals.
  t.advance(4_500);
  assert.equal(t.view.size, 0, 'the lease of 3 × 8 s ran out');
});

test('the largest room span counts the live owners listing members in each room we hold', () => {
  const t = table();
  assert.equal(largestRoomSpan(t.owners.owners()), 0);
  const owners = [owner(t.now), owner(t.now), owner(t.now)];
  for (const [n, o] of owners.entries()) {
    t.owners.anchor(linkA, o.own.anchor());
    t.owners.beat(linkA, o.own.currentBeat());
    for (const delta of o.members(peer(n + 1))) t.owners.delta(linkA, delta);
  }
  assert.equal(largestRoomSpan(t.owners.owners()), 3);
  // An owner gone (its lease ran out) no longer counts.
  t.advance(3_000);
  for (const o of owners.slice(0, 2)) t.owners.beat(linkA, o.own.nextBeat().beat);
  t.advance(1_500);
  assert.equal(largestRoomSpan(t.owners.owners()), 2);
});

test('a link replaced by a duplicate to the same node frees its routes and budget, and puts that node on no trial', () => {
  let direct: object = linkA;
  const t = table({ maxOwnersPerLink: 1 }, () => direct);
  const o = owner(t.now);
  const id = o.own.anchor().owner;
  t.owners.anchor(linkA, o.own.anchor());
  t.owners.beat(linkA, o.own.currentBeat());
  for (const delta of o.members(peer(1))) t.owners.delta(linkA, delta);
  assert.equal(t.owners.linksHeld(), 1);
  // Both ends keep linkB (see replacesLink); linkA closes as the duplicate.
  direct = linkB;
  t.owners.linkClosed(linkA, id, true);
  assert.equal(t.owners.linksHeld(), 0, 'nothing kept for the closed link');
  assert.equal(t.owners.get(id)!.routes.has(linkA), false, 'no route through a closed link');
  assert.equal(t.owners.get(id)!.introducer, undefined);
  // The node is still linked: its next beat, late on the new link, finds its members still here.
  t.advance(3_000);
  assert.equal(t.view.size, 1, 'a replaced link says nothing about its node');
  t.owners.beat(linkB, o.own.nextBeat().beat);
  assert.equal(t.view.size, 1);
  assert.equal(t.owners.linksHeld(), 1, 'the route through the new link');
  assert.deepEqual(t.gone, []);
  assert.deepEqual(t.askedAgain, [], 'nothing to ask again: the owner is still linked');
});
