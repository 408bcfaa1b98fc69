import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SigmeshError } from '@sigmesh/protocol';
import { deriveRoomHash } from '@sigmesh/protocol';
import { joinRoom } from '../helpers/room-client.js';
import { startTestNode } from '../helpers/test-node.js';
import { waitFor } from '../helpers/wait-for.js';

const room = deriveRoomHash('test-app', 'lobby');
const otherRoom = deriveRoomHash('test-app', 'elsewhere');

test('two members exchange broadcast and addressed messages; another room sees none of it', async (t) => {
  const node = await startTestNode(t);
  const alice = await joinRoom(node.url(), room);
  const outsider = await joinRoom(node.url(), otherRoom);
  const bob = await joinRoom(node.url(), room);
  const carol = await joinRoom(node.url(), room);
  t.after(() => [alice, bob, carol, outsider].forEach((m) => m.close()));

  assert.deepEqual(new Set(carol.welcome.members), new Set([alice.peerId, bob.peerId]));
  await waitFor(() => alice.joins().includes(carol.peerId), 'carol’s join at alice');
  assert.deepEqual(alice.joins(), [bob.peerId, carol.peerId], 'alice hears each join, once');

  await alice.post({ hello: 'everyone' });
  const atBob = JSON.parse((await bob.next('message')).data) as {
    from: string;
    data: unknown;
    to?: string;
  };
  assert.equal(atBob.from, alice.peerId);
  assert.deepEqual(atBob.data, { hello: 'everyone' });
  assert.equal(atBob.to, undefined);
  await carol.next('message');

  await bob.post('just for alice', alice.peerId);
  const atAlice = JSON.parse((await alice.next('message')).data) as {
    from: string;
    to: string;
    data: unknown;
  };
  assert.deepEqual(atAlice, {
    ...atAlice,
    from: bob.peerId,
    to: alice.peerId,
    data: 'just for alice',
  });

  // A marker broadcast lets us know carol has seen everything sent before it.
  await alice.post('marker');
  await carol.next('message');
  assert.deepEqual(
    carol.messages().map((m) => m.data),
    [{ hello: 'everyone' }, 'marker'],
    'carol gets broadcasts but not the message addressed to alice',
  );
  assert.equal(
    alice.messages().filter((m) => m.from === alice.peerId).length,
    0,
    'a sender does not get its own broadcast',
  );
  assert.equal(outsider.messages().length, 0);
  assert.equal(outsider.joins().length, 0);
});

test('leave is announced when a member closes its stream', async (t) => {
  const node = await startTestNode(t);
  const alice = await joinRoom(node.url(), room);
  const bob = await joinRoom(node.url(), room);
  t.after(() => alice.close());
  bob.close();
  await waitFor(() => alice.leaves().includes(bob.peerId), 'bob’s leave at alice');
  assert.deepEqual(alice.view(), new Set(), 'alice’s view is empty again');
  await assert.rejects(
    bob.post('after leaving'),
    (error: SigmeshError) => error.code === 'ROOM_SESSION_INVALID',
  );
});

test('addressing a peer that is not in the room is refused', async (t) => {
  const node = await startTestNode(t);
  const alice = await joinRoom(node.url(), room);
  const stranger = await joinRoom(node.url(), otherRoom);
  t.after(() => [alice, stranger].forEach((m) => m.close()));
  await assert.rejects(
    alice.post('hi', stranger.peerId),
    (error: SigmeshError) => error.code === 'ROOM_PEER_NOT_FOUND',
  );
});
