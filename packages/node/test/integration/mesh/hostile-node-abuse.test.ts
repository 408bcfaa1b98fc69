import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { deriveRoomHash, type PeerId } from '@sigmesh/protocol';
import { createEphemeralIdentity } from '../../../src/index.js';
import { MAX_PACED_BEAT_MS } from '../../../src/mesh/presence/beat-pacing.js';
import { hostileLink, phantomPeers, type HostileLink } from '../../helpers/hostile-node.js';
import { joinRoom } from '../../helpers/room-client.js';
import { startTestNode } from '../../helpers/test-node.js';
import { waitFor } from '../../helpers/wait-for.js';

// A hostile node with a valid handshake, abusing what the protocol allows: phantom members,
// message floods, forged signatures, link slots (docs/security.md § The mesh).

const room = deriveRoomHash('app', 'abused');

test('phantom members stop at the budgets: per owner and room, per link, in owners', async (t) => {
  const node = await startTestNode(t, {
    maxStreamsPerAddress: 100,
    meshMaxMembersPerOwner: 500,
    meshMaxMembersPerLink: 800,
    meshMaxOwnersPerLink: 3,
  });
  const watcher = await joinRoom(node.url(), room);
  t.after(() => watcher.close());
  const hostile = await hostileLink(node.url());
  t.after(() => hostile.ws.close());
  hostile.share(room);
  const self = hostile.owner();
  self.roster(room, phantomPeers(501)); // one over the owner budget: refused whole
  await sleep(200);
  assert.equal(watcher.view().size, 0);
  assert.equal(node.meshStats().presenceRefused, 1);

  // Made-up owners (fresh keys are free): each within its budget, together past the link's; a
  // fourth owner is one more than the link may introduce.
  const sybils = [
    hostile.owner(createEphemeralIdentity()),
    hostile.owner(createEphemeralIdentity()),
  ];
  for (const sybil of sybils) sybil.roster(room, phantomPeers(450));
  const fourth = hostile.owner(createEphemeralIdentity());
  fourth.roster(room, phantomPeers(10));
  await waitFor(() => watcher.view().size === 450, 'the first 450 phantoms');
  await sleep(200);
  assert.equal(watcher.view().size, 450, 'the second owner’s 450 would pass the link budget');
  const late = await joinRoom(node.url(), room);
  t.after(() => late.close());
  assert.ok(late.welcome.members.length <= 801, `welcome lists ${late.welcome.members.length}`);
  assert.ok(node.meshStats().remoteMembers <= 800);
});

test('unpaid message floods: the owner’s allowance holds, and the flooding node is cut', async (t) => {
  const node = await startTestNode(t, { meshOwnerMessagesPerSecond: 50 });
  const bob = await joinRoom(node.url(), room);
  t.after(() => bob.close());
  const hostile = await hostileLink(node.url());
  hostile.share(room);
  const [puppet] = phantomPeers(1);
  hostile.owner().roster(room, [puppet!]);
  await waitFor(() => bob.view().has(puppet!), 'the puppet member in bob’s view');
  const started = Date.now();
  for (let i = 0; i < 5_000 && hostile.ws.readyState === hostile.ws.OPEN; i++) {
    hostile.send({
      t: 'message',
      id: randomBytes(16).toString('hex'),
      room,
      from: puppet,
      data: i,
      hops: 0,
    });
    if (i % 500 === 499) await sleep(10);
  }
  const code = await Promise.race([hostile.closed, sleep(5_000).then(() => 0)]);
  const seconds = (Date.now() - started) / 1000;
  await sleep(200);
  const got = bob.messages().length;
  assert.ok(got <= 100 + 50 * seconds + 10, `bob got ${got} messages in ${seconds.toFixed(1)} s`);
  assert.equal(code, 4012, 'the flooding node was banned');
  t.diagnostic(`closed ${code} after ${seconds} s; bob got ${got}`);
  const again = await hostileLink(node.url(), { identity: hostile.identity });
  assert.equal(await again.closedWithin(), 4004, 'and is refused when it comes back');
});

test('forged signatures cost reputation until the node is banned, and stays refused', async (t) => {
  const node = await startTestNode(t);
  const watcher = await joinRoom(node.url(), room);
  t.after(() => watcher.close());
  const hostile = await hostileLink(node.url());
  hostile.share(room);
  const owner = hostile.owner();
  await hostile.frame((f) => f.t === 'roster', 'the room shared');
  const good = owner.roster(room, phantomPeers(1));
  for (let i = 0; i < 6; i++)
    hostile.send({ ...good, ver: good.ver + 1 + i, members: phantomPeers(2) });
  assert.equal(await hostile.closedWithin(), 4012);
  assert.ok(node.meshStats().presenceRefused >= 5);
  const back = await hostileLink(node.url(), { identity: hostile.identity });
  assert.equal(await back.closedWithin(), 4004);
});

test('strangers holding every link slot do not keep an honest node out', async (t) => {
  const node = await startTestNode(t, { meshMaxLinks: 6 });
  const alice = await joinRoom(node.url(), room);
  t.after(() => alice.close());
  const strangers: HostileLink[] = [];
  for (let i = 0; i < 6; i++) strangers.push(await hostileLink(node.url()));
  t.after(() => strangers.forEach((s) => s.ws.close()));
  await waitFor(() => node.meshStats().links === 6, 'six stranger links');

  const honest = await startTestNode(t);
  const bob = await joinRoom(honest.url(), room);
  t.after(() => bob.close());
  const started = Date.now();
  await honest.connect(node.url());
  await waitFor(() => bob.view().has(alice.peerId), 'alice across the new link', 5_000);
  t.diagnostic(`honest link and presence in ${Date.now() - started} ms`);
  assert.equal(node.meshStats().linksEvicted, 1, 'one stranger made room');
  assert.ok(node.meshStats().links <= 6);
});

test('a 1,024-member roster from a linked node does not cut members who read promptly', async (t) => {
  const node = await startTestNode(t, { maxStreamsPerAddress: 100 });
  const members = await Promise.all(Array.from({ length: 5 }, () => joinRoom(node.url(), room)));
  t.after(() => members.forEach((m) => m.close()));
  const hostile = await hostileLink(node.url());
  t.after(() => hostile.ws.close());
  hostile.share(room);
  const phantoms: PeerId[] = phantomPeers(1024);
  hostile.owner().roster(room, phantoms);
  await waitFor(() => members.every((m) => m.view().size === 4 + 1024), 'every view with them');
  assert.equal(node.stats().slowConsumersCut, 0);
  hostile.ws.terminate(); // and all of them gone at once
  await waitFor(() => members.every((m) => m.view().size === 4), 'every view without them');
  assert.equal(node.stats().slowConsumersCut, 0);
});

test('made-up owners widening a room slow our beats at most to every 32 s, and no further', async (t) => {
  // Beat pacing (beat-pacing.ts) reads a room's span from the owners listing members there; fresh
  // keys are free, so a hostile node can make a room look wide. What it buys is bounded: owners
  // past --mesh-max-owners-per-link are refused, and the interval stops at MAX_PACED_BEAT_MS.
  const node = await startTestNode(t, {
    meshBeatMs: 250,
    meshRoomBeatsPerSecond: 1,
    meshMaxOwnersPerLink: 40,
  });
  const watcher = await joinRoom(node.url(), room);
  t.after(() => watcher.close());
  const hostile = await hostileLink(node.url());
  t.after(() => hostile.ws.close());
  hostile.share(room);
  await hostile.frame((f) => f.t === 'anchor', 'the node’s anchor once the room is shared');
  const owners = Array.from({ length: 45 }, (_, i) =>
    hostile.owner(i === 0 ? undefined : createEphemeralIdentity()),
  );
  for (const owner of owners) owner.roster(room, phantomPeers(1));
  const beating = setInterval(() => owners.forEach((owner) => owner.beat()), 300);
  t.after(() => clearInterval(beating));
  await waitFor(() => node.meshStats().beatMs > 250, 'our beats paced');
  await sleep(1_000);
  assert.equal(node.meshStats().owners, 40, 'owners past the link’s budget are refused');
  assert.equal(watcher.view().size, 40);
  // 41 nodes at 1 value a second would want 41 s; 250 ms × 2^k stops at 32 s.
  assert.equal(node.meshStats().beatMs, MAX_PACED_BEAT_MS);
  assert.ok(node.meshStats().presenceRefused >= 5, 'the five owners over the budget');
});
