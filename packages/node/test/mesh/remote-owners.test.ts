import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveRoomHash, type PeerId } from '@sigmesh/protocol';
import { createEphemeralIdentity } from '../../src/index.js';
import { OwnPresence } from '../../src/mesh/presence/own-presence.js';
import { RemoteOwners, type PresenceLimits } from '../../src/mesh/presence/remote-owners.js';

const room = deriveRoomHash('unit', 'presence');
const peer = (n: number): PeerId => n.toString(16).padStart(32, '0') as PeerId;
const limits: PresenceLimits = {
  leaseMs: 4_000,
  forgetMs: 60_000,
  maxOwnersPerLink: 10,
  maxMembersPerLink: 2_000,
  maxMembersPerOwner: 1_500,
  maxRemotePerRoom: 5_000,
  maxRemoteTotal: 10_000,
  ownerMessagesPerSecond: 10,
  ownerMessageBurst: 20,
};

/** A remote-owner table on a fake clock, recording the views it reports. */
function table(
  overrides: Partial<PresenceLimits> = {},
  directLink?: (owner: string) => object | undefined,
) {
  let now = 1_000_000;
  const view = new Set<PeerId>();
  const gone: string[] = [];
  const owners = new RemoteOwners({
    limits: { ...limits, ...overrides },
    now: () => now,
    onChange: (_room, joined, left) => {
      for (const p of left) view.delete(p);
      for (const p of joined) view.add(p);
    },
    onGone: (owner) => gone.push(owner),
    onVisible: () => undefined,
    ...(directLink === undefined ? {} : { directLink }),
  });
  owners.openRoom(room);
  return {
    owners,
    view,
    gone,
    advance(ms: number) {
      now += ms;
      owners.tick();
    },
    now: () => now,
  };
}

/** A real owner (its own signed frames) on the same fake clock. */
function owner(
  now: () => number,
  identity = createEphemeralIdentity(),
  pacing = { batchMembers: 256, holdMs: 0 },
) {
  const own = new OwnPresence({ identity, now, beatMs: 1000, chainLength: 100, ...pacing });
  const shared = (): boolean => true;
  return {
    own,
    members(...peers: PeerId[]) {
      for (const p of peers) own.joined(room, p);
      return own.flush(shared).deltas;
    },
    leave(...peers: PeerId[]) {
      for (const p of peers) own.left(room, p);
      return own.flush(shared).deltas;
    },
  };
}

const linkA = {};
const linkB = {};

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

test('deltas: a gap asks for the roster, a forged signature is a violation, an old version is a duplicate', () => {
  const t = table();
  const o = owner(t.now);
  t.owners.anchor(linkA, o.own.anchor());
  t.owners.beat(linkA, o.own.currentBeat());
  const [first] = o.members(peer(1));
  const [second] = o.members(peer(2));
  assert.equal(t.owners.delta(linkA, second!).kind, 'want', 'the base is missing');
  assert.equal(t.owners.delta(linkA, first!).kind, 'accepted');
  const forged = { ...second!, add: [peer(3)] };
  assert.equal(t.owners.delta(linkA, forged).kind, 'violation');
  assert.equal(t.owners.delta(linkA, second!).kind, 'accepted');
  assert.equal(t.owners.delta(linkA, first!).kind, 'duplicate');
  assert.deepEqual(t.view, new Set([peer(1), peer(2)]));
  const [snapshot] = o.own.snapshot(room);
  assert.equal(t.owners.roster(linkB, snapshot!).kind, 'duplicate');
  assert.equal(
    t.owners.roster(linkB, { ...snapshot!, ver: snapshot!.ver + 1 }).kind,
    'violation',
    'a version the owner never signed',
  );
});

test('budgets: members per owner, members and owners per link', () => {
  const t = table({ maxMembersPerOwner: 3, maxMembersPerLink: 5, maxOwnersPerLink: 2 });
  const [a, b, c] = [owner(t.now), owner(t.now), owner(t.now)];
  for (const o of [a, b]) {
    assert.equal(t.owners.anchor(linkA, o.own.anchor()).kind, 'accepted');
    t.owners.beat(linkA, o.own.currentBeat());
  }
  assert.equal(
    t.owners.anchor(linkA, c.own.anchor()).kind,
    'violation',
    'a third owner from one link',
  );
  assert.equal(t.owners.anchor(linkB, c.own.anchor()).kind, 'accepted', 'but fine from another');
  const [tooMany] = a.members(peer(1), peer(2), peer(3), peer(4));
  assert.equal(t.owners.delta(linkA, tooMany!).kind, 'violation');
  assert.equal(
    t.owners.delta(linkA, a.leave(peer(4))[0]!).kind,
    'ignored',
    'refused until a new epoch',
  );
  for (const delta of b.members(peer(5), peer(6), peer(7))) t.owners.delta(linkA, delta);
  assert.equal(t.view.size, 3);
  const [more] = b.members(peer(8));
  assert.equal(t.owners.delta(linkA, more!).kind, 'violation', 'over the owner budget of 3');
});

test('a member claimed by two owners belongs to the first; a new epoch drops the old roster', () => {
  const t = table();
  const [a, b] = [owner(t.now), owner(t.now)];
  for (const o of [a, b]) {
    t.owners.anchor(linkA, o.own.anchor());
    t.owners.beat(linkA, o.own.currentBeat());
  }
  for (const delta of a.members(peer(1))) t.owners.delta(linkA, delta);
  for (const delta of b.members(peer(1), peer(2))) t.owners.delta(linkA, delta);
  assert.equal(t.owners.ownerOf(room, peer(1))?.id, a.own.anchor().owner);
  assert.equal(t.view.size, 2);

  // An owner restarts (same key, a new epoch): its old members are gone until it says otherwise.
  const bIdentity = createEphemeralIdentity();
  const c = owner(t.now, bIdentity);
  t.owners.anchor(linkA, c.own.anchor());
  t.owners.beat(linkA, c.own.currentBeat());
  for (const delta of c.members(peer(3))) t.owners.delta(linkA, delta);
  t.advance(10);
  const cAgain = owner(t.now, bIdentity);
  assert.equal(t.owners.anchor(linkA, cAgain.own.anchor()).kind, 'accepted');
  assert.ok(!t.view.has(peer(3)), 'the old epoch’s member is gone');
  t.owners.beat(linkA, cAgain.own.currentBeat());
  for (const delta of cAgain.members(peer(4))) t.owners.delta(linkA, delta);
  assert.ok(t.view.has(peer(4)) && !t.view.has(peer(3)));
  assert.equal(t.owners.anchor(linkA, c.own.anchor()).kind, 'duplicate', 'the old epoch is over');
});

test('messages: only along the owner’s route, only from listed members, within the allowance', () => {
  const t = table();
  const o = owner(t.now);
  t.owners.anchor(linkA, o.own.anchor());
  t.owners.beat(linkA, o.own.currentBeat());
  t.owners.beat(linkB, o.own.currentBeat());
  for (const delta of o.members(peer(1))) t.owners.delta(linkA, delta);
  const noDirect = () => undefined;
  assert.equal(t.owners.acceptMessage(room, peer(9), linkA, noDirect), 'unknown-member');
  assert.equal(
    typeof t.owners.acceptMessage(room, peer(1), linkB, noDirect),
    'object',
    'B relays its beats',
  );
  assert.equal(t.owners.acceptMessage(room, peer(1), {}, noDirect), 'off-route');
  assert.equal(
    t.owners.acceptMessage(room, peer(1), linkB, () => linkA),
    'off-route',
    'with a direct link to the owner, only that link',
  );
  let taken = 0;
  for (let i = 0; i < 50; i++)
    if (typeof t.owners.acceptMessage(room, peer(1), linkA, () => linkA) === 'object') taken++;
  assert.equal(taken, 19, 'the burst (20, one already used)');
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

test('an owner linked to us speaks for itself: relayed copies of its rosters are not taken', () => {
  const t = table({}, () => linkA);
  const o = owner(t.now);
  t.owners.anchor(linkA, o.own.anchor());
  t.owners.beat(linkA, o.own.currentBeat());
  for (const delta of o.members(peer(1))) t.owners.delta(linkA, delta);
  const old = o.own.snapshot(room);
  assert.deepEqual(t.view, new Set([peer(1)]));
  // Member 1 posts, then leaves. The owner sent the message, then the delta, on our direct link;
  // a relay that got both forwards the delta, and its copy arrives first.
  const [leave] = o.leave(peer(1));
  assert.equal(t.owners.delta(linkB, leave!).kind, 'ignored');
  const direct = (): object => linkA;
  assert.equal(typeof t.owners.acceptMessage(room, peer(1), linkA, direct), 'object');
  assert.equal(t.owners.delta(linkA, leave!).kind, 'accepted');
  assert.deepEqual(t.view, new Set());
  // A relay's late copy of the old roster does not bring member 1 back.
  t.owners.roomUnshared(room, o.own.anchor().owner);
  assert.equal(t.owners.roster(linkB, old[0]!).kind, 'ignored');
  assert.deepEqual(t.owners.members(room), []);
});

test("a reopened room's first delta (base 0) replaces an older roster a relay brought late", () => {
  const t = table();
  const o = owner(t.now);
  const id = o.own.anchor().owner;
  t.owners.anchor(linkA, o.own.anchor());
  t.owners.beat(linkA, o.own.currentBeat());
  for (const delta of o.members(peer(1))) t.owners.delta(linkA, delta);
  const old = o.own.snapshot(room);
  for (const delta of o.leave(peer(1))) t.owners.delta(linkA, delta);
  t.owners.roomUnshared(room, id);
  // Without a direct link to tell it otherwise, the table takes the late copy…
  assert.equal(t.owners.roster(linkB, old[0]!).kind, 'accepted');
  assert.deepEqual(t.view, new Set([peer(1)]));
  // …until the owner reopens the room: its first delta is the whole roster, taken at once (it
  // used to be a gap that asked for a snapshot while the new member's messages were refused).
  const [first] = o.members(peer(2));
  assert.equal(first!.base, 0);
  assert.equal(t.owners.delta(linkA, first!).kind, 'accepted');
  assert.deepEqual(t.view, new Set([peer(2)]));
  assert.equal(t.owners.ownerOf(room, peer(2))?.id, id);
});

test('a room no link shares is signed only when a link needs its roster', () => {
  const t = table();
  const o = owner(t.now);
  t.owners.anchor(linkA, o.own.anchor());
  t.owners.beat(linkA, o.own.currentBeat());
  for (const p of [peer(1), peer(2)]) o.own.joined(room, p);
  assert.deepEqual(o.own.flush(() => false).deltas, [], 'nobody to tell');
  assert.ok(o.own.has(room));
  const snapshot = o.own.snapshot(room);
  assert.equal(t.owners.roster(linkA, snapshot[0]!).kind, 'accepted', 'signed when asked for');
  assert.deepEqual(t.view, new Set([peer(1), peer(2)]));
  const [next] = o.members(peer(3));
  assert.equal(next!.base, snapshot[0]!.ver);
  assert.equal(t.owners.delta(linkA, next!).kind, 'accepted');
  assert.deepEqual(t.view, new Set([peer(1), peer(2), peer(3)]));
});

test("a large room's changes wait out the hold and go as one delta; a forced room goes at once", () => {
  const t = table();
  const o = owner(t.now, createEphemeralIdentity(), { batchMembers: 2, holdMs: 500 });
  const shared = (): boolean => true;
  t.owners.anchor(linkA, o.own.anchor());
  t.owners.beat(linkA, o.own.currentBeat());
  for (const delta of o.members(peer(1), peer(2), peer(3))) t.owners.delta(linkA, delta);
  o.own.joined(room, peer(4));
  o.own.joined(room, peer(5));
  o.own.left(room, peer(1));
  const held = o.own.flush(shared);
  assert.deepEqual(held.deltas, [], 'three members: held after the first delta');
  assert.equal(held.heldUntil, t.now() + 500);
  assert.ok(o.own.unannounced(room, peer(5)));
  t.advance(500);
  const { deltas, heldUntil } = o.own.flush(shared);
  assert.equal(heldUntil, undefined);
  assert.equal(deltas.length, 1, 'everything the hold gathered, in one signed delta');
  assert.deepEqual(deltas[0]!.add, [peer(4), peer(5)]);
  assert.deepEqual(deltas[0]!.remove, [peer(1)]);
  assert.equal(t.owners.delta(linkA, deltas[0]!).kind, 'accepted');
  o.own.joined(room, peer(6));
  assert.deepEqual(o.own.flush(shared).deltas, []);
  const forced = o.own.flush(shared, room).deltas;
  assert.deepEqual(forced[0]?.add, [peer(6)], 'a member about to speak is announced at once');
  assert.equal(t.owners.delta(linkA, forced[0]).kind, 'accepted');
  assert.deepEqual(t.view, new Set([peer(2), peer(3), peer(4), peer(5), peer(6)]));
});
