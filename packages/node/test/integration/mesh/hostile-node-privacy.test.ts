import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { deriveRoomHash, type RoomHash } from '@sigmesh/protocol';
import { hostileLink, phantomPeers } from '../../helpers/hostile-node.js';
import { joinRoom } from '../../helpers/room-client.js';
import { startTestNode } from '../../helpers/test-node.js';
import { startTestnet } from '../../helpers/test-testnet.js';
import { waitFor } from '../../helpers/wait-for.js';

// A node with a fresh key and a valid handshake, probing what a linked node learns and whom it
// can speak for (docs/security.md § The mesh).

const unguessable = (): RoomHash =>
  deriveRoomHash('app', `secret-${randomBytes(8).toString('hex')}`);

test('a linked stranger learns neither the rooms it cannot name nor their members', async (t) => {
  const node = await startTestNode(t);
  const secret = unguessable();
  const alice = await joinRoom(node.url(), secret);
  t.after(() => alice.close());
  const stranger = await hostileLink(node.url());
  t.after(() => stranger.ws.close());
  await stranger.frame((f) => f.t === 'interest', 'the node’s interests');
  stranger.send({ t: 'want', owner: node.id() }); // asking for everything is no help either
  await sleep(300);
  const seen = JSON.stringify(stranger.frames);
  assert.ok(!seen.includes(secret), 'the room hash never crossed the link');
  assert.ok(!seen.includes(alice.peerId), 'nor the id of a member in it');
  assert.ok(
    seen.includes(stranger.token(secret)),
    'only a token a node that knows the room can match',
  );

  // A node that can name the room (it has members there too) shares it and gets its roster.
  stranger.share(secret);
  const roster = await stranger.frame((f) => f.t === 'roster' && f.room === secret, 'the roster');
  assert.deepEqual(roster.members, [alice.peerId]);
});

test('a linked node cannot speak as a member of this node or of another node', async (t) => {
  const net = await startTestnet(t, { nodes: 2 });
  const [n1, n2] = net.nodes;
  const room = deriveRoomHash('app', 'public-lobby');
  const bob = await joinRoom(n1!.url(), room);
  const alice = await joinRoom(n1!.url(), room);
  const carol = await joinRoom(n2!.url(), room);
  t.after(() => [alice, bob, carol].forEach((m) => m.close()));
  await waitFor(() => bob.view().has(carol.peerId), 'carol (node 2) in bob’s view');

  const hostile = await hostileLink(n1!.url());
  t.after(() => hostile.ws.close());
  hostile.share(room); // it knows the public room: a legitimate participant in every other way
  await hostile.frame((f) => f.t === 'roster' && f.room === room, 'a roster of the room');
  const forge = (from: string, data: string): void =>
    hostile.send({ t: 'message', id: randomBytes(16).toString('hex'), room, from, data, hops: 2 });
  forge(alice.peerId, 'forged as a local member');
  forge(carol.peerId, 'forged as a member of node 2');
  forge(phantomPeers(1)[0]!, 'from nobody');
  await alice.post('marker');
  await bob.next('message');
  await sleep(200);
  assert.deepEqual(
    bob.messages().map((m) => m.data),
    ['marker'],
    'none of the forged messages reached bob',
  );
  assert.ok(n1!.meshStats().messagesRefused >= 3);
  assert.equal(carol.messages().filter((m) => m.data !== 'marker').length, 0, 'nor carol');
});

test('replaying a dead owner’s roster and last beat does not keep its members', async (t) => {
  const node = await startTestNode(t, { meshPresenceLeaseMs: 1_000, meshBeatMs: 200 });
  const room = deriveRoomHash('app', 'replay');
  const watcher = await joinRoom(node.url(), room);
  t.after(() => watcher.close());
  const victim = await hostileLink(node.url());
  victim.share(room);
  const owner = victim.owner();
  const [ghost] = phantomPeers(1);
  const old = owner.roster(room, []);
  const current = owner.roster(room, [ghost!]);
  await waitFor(() => watcher.view().has(ghost!), 'the member in the view');

  // A second linked node replays everything the owner ever said; the owner dies without a word.
  const replayer = await hostileLink(node.url());
  t.after(() => replayer.ws.close());
  replayer.share(room);
  await replayer.frame((f) => f.t === 'roster', 'the room shared with the replayer');
  victim.ws.terminate();
  const replay = setInterval(() => {
    replayer.send(owner.anchor);
    replayer.send(owner.lastBeat());
    replayer.send(current);
    replayer.send(old);
  }, 50);
  t.after(() => clearInterval(replay));
  await waitFor(() => !watcher.view().has(ghost!), 'the dead owner’s member gone', 3_000);
  const joins = watcher.joins().length;
  await sleep(1_500);
  clearInterval(replay);
  assert.equal(
    watcher.joins().length,
    joins,
    `and it never came back: ${JSON.stringify(watcher.events.map((e) => [e.event, e.data]))}`,
  );
  assert.ok(!watcher.view().has(ghost!));
});
