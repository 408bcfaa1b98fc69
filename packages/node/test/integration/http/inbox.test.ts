/**
 * Issue 14: inboxes. A hash with the inbox prefix is an identity's inbox: only the owner of the
 * key it is derived from joins it as `owner` (an ed25519 proof over the node id and the join's
 * own PoW token); anyone else joins as a `guest`, is told of nobody and hears only what is
 * addressed to it, while the owner hears every join and every message — on any node.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { utf8, type RoomHash } from '@sigmesh/protocol';
import { inboxOf, newKey, ownerQuery, ringUntilHeard } from '../../helpers/inbox-owner.js';
import { challengeFor, solveToken } from '../../helpers/raw-http.js';
import { joinRoom } from '../../helpers/room-client.js';
import { startTestNode } from '../../helpers/test-node.js';
import { startTestnet } from '../../helpers/test-testnet.js';
import { waitFor } from '../../helpers/wait-for.js';

/** A raw paid join of `room` with `query(token)` added: its status and JSON error code. */
async function rawJoin(
  baseUrl: string,
  room: RoomHash,
  query: (token: string, nodeId: string) => string,
): Promise<{ status: number; code?: string; token: string }> {
  const info = (await fetch(`${baseUrl}/`, { headers: { accept: 'application/json' } }).then((r) =>
    r.json(),
  )) as { node: { id: string } };
  const { challenge } = await challengeFor(baseUrl, 'room-join');
  const token = await solveToken(challenge, utf8(room));
  const controller = new AbortController();
  const response = await fetch(
    `${baseUrl}/room/${room}?pow=${encodeURIComponent(token)}${query(token, info.node.id)}`,
    { headers: { accept: 'application/json' }, signal: controller.signal },
  );
  if (response.ok) {
    controller.abort();
    return { status: response.status, token };
  }
  const body = (await response.json()) as { code?: string };
  return {
    status: response.status,
    token,
    ...(body.code === undefined ? {} : { code: body.code }),
  };
}

test('an inbox’s owner hears every guest; a guest hears only what is addressed to it', async (t) => {
  const node = await startTestNode(t);
  const bobKey = newKey();
  const inbox = inboxOf(bobKey);
  const bob = await joinRoom(node.url(), inbox, ownerQuery(bobKey, inbox));
  t.after(() => bob.close());
  assert.equal(bob.welcome.role, 'owner');

  const alice = await joinRoom(node.url(), inbox);
  t.after(() => alice.close());
  const eve = await joinRoom(node.url(), inbox);
  t.after(() => eve.close());
  assert.equal(alice.welcome.role, 'guest');
  assert.deepEqual(alice.welcome.members, [], 'a guest is told of nobody, not even the owner');
  assert.deepEqual(eve.welcome.members, []);
  await waitFor(
    () => bob.joins().includes(alice.peerId) && bob.joins().includes(eve.peerId),
    'the owner to hear both guests join',
  );

  await alice.post({ ring: 'from alice' });
  const ring = JSON.parse((await bob.next('message')).data) as { from: string; data: unknown };
  assert.deepEqual([ring.from, ring.data], [alice.peerId, { ring: 'from alice' }]);
  await bob.post({ answer: 'to alice' }, alice.peerId);
  const answer = JSON.parse((await alice.next('message')).data) as { from: string; data: unknown };
  assert.deepEqual([answer.from, answer.data], [bob.peerId, { answer: 'to alice' }]);
  await bob.post({ broadcast: 'from the owner' });

  await sleep(200);
  assert.deepEqual(eve.messages(), [], 'the other guest heard neither the ring nor the answer');
  assert.deepEqual(
    alice.messages().map((m) => m.data),
    [{ answer: 'to alice' }],
    'a guest hears no broadcast, not even the owner’s',
  );
  assert.equal(
    [...alice.events, ...eve.events].some((event) => event.event === 'presence'),
    false,
    'guests get no presence',
  );
  eve.close();
  await waitFor(() => bob.leaves().includes(eve.peerId), 'the owner to hear a guest leave');
});

test('only the key’s owner joins as owner: every other proof is refused before anyone joins', async (t) => {
  const node = await startTestNode(t, { inboxProofWindowMs: 5_000 });
  const bobKey = newKey();
  const mallory = newKey();
  const inbox = inboxOf(bobKey);
  const bob = await joinRoom(node.url(), inbox, ownerQuery(bobKey, inbox));
  t.after(() => bob.close());

  const first = await rawJoin(node.url(), inbox, ownerQuery(bobKey, inbox));
  assert.equal(first.status, 200, 'the owner itself, a second time');
  const refused: Array<[string, (token: string, nodeId: string) => string]> = [
    ['the proof of another inbox', ownerQuery(mallory, inboxOf(mallory))],
    ['Bob’s key, signed by another', ownerQuery(mallory, inbox, { claimedKey: bobKey })],
    ['signed for another node', ownerQuery(bobKey, inbox, { nodeId: 'ab'.repeat(32) })],
    ['signed over a spent token', ownerQuery(bobKey, inbox, { token: first.token })],
    ['signed too long ago', ownerQuery(bobKey, inbox, { at: Date.now() - 6_000 })],
    ['signed in the future', ownerQuery(bobKey, inbox, { at: Date.now() + 6_000 })],
    ['not a proof', () => '&owner=abc.1.def'],
    ['two proofs', (token, id) => ownerQuery(bobKey, inbox)(token, id).repeat(2)],
  ];
  for (const [name, query] of refused) {
    const answer = await rawJoin(node.url(), inbox, query);
    assert.deepEqual([answer.status, answer.code], [403, 'INBOX_OWNER_INVALID'], name);
  }
  await sleep(100);
  assert.equal(bob.joins().length, 1, 'only the owner’s second join was announced');
});

test('a guest’s ring crosses the mesh to the owner’s node and the answer comes back', async (t) => {
  const net = await startTestnet(t, { nodes: 2 });
  const [n1, n2] = net.nodes;
  const bobKey = newKey();
  const inbox = inboxOf(bobKey);
  const bob = await joinRoom(n2!.url(), inbox, ownerQuery(bobKey, inbox));
  t.after(() => bob.close());
  const alice = await joinRoom(n1!.url(), inbox);
  t.after(() => alice.close());
  const eve = await joinRoom(n1!.url(), inbox);
  t.after(() => eve.close());
  // The nodes find each other through the room; a guest, told of nobody, rings until answered.
  await ringUntilHeard(alice, bob, { ring: 'across' });
  await bob.post({ answer: 'back' }, alice.peerId);
  const answer = JSON.parse((await alice.next('message')).data) as { data: unknown };
  assert.deepEqual(answer.data, { answer: 'back' });
  await sleep(200);
  assert.deepEqual(eve.messages(), [], 'the other guest, on the ringing node, heard nothing');
  assert.deepEqual(alice.welcome.members, []);
  assert.ok(bob.view().has(alice.peerId) && bob.view().has(eve.peerId), 'the owner sees both');
});
