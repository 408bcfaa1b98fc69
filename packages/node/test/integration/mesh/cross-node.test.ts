import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveRoomHash } from '@sigmesh/protocol';
import { joinRoom } from '../../helpers/room-client.js';
import { startTestnet } from '../../helpers/test-testnet.js';
import { waitFor } from '../../helpers/wait-for.js';

const room = deriveRoomHash('mesh-test', 'lobby');

test('members on two nodes of a 3-node testnet meet; the node without members gets no room traffic', async (t) => {
  const net = await startTestnet(t, { nodes: 3 });
  const [n1, n2, n3] = net.nodes;
  const alice = await joinRoom(n1!.url(), room);
  const bob = await joinRoom(n2!.url(), room);
  t.after(() => [alice, bob].forEach((m) => m.close()));

  // Rendezvous on the DHT, link, presence: alice learns of bob without anyone naming a node.
  await waitFor(() => alice.joins().includes(bob.peerId), 'bob’s join to reach alice');
  await alice.post({ hi: 'bob' });
  const atBob = JSON.parse((await bob.next('message')).data) as { from: string; data: unknown };
  assert.deepEqual(atBob, { ...atBob, from: alice.peerId, data: { hi: 'bob' } });

  await bob.post('only for alice', alice.peerId);
  const atAlice = JSON.parse((await alice.next('message')).data) as {
    from: string;
    to: string;
    data: unknown;
  };
  assert.deepEqual(atAlice, {
    ...atAlice,
    from: bob.peerId,
    to: alice.peerId,
    data: 'only for alice',
  });

  assert.equal(n3!.stats().messages, 0);
  assert.equal(
    n3!.meshStats().roomFramesReceived,
    0,
    'node 3 has no member, so no room frame reaches it',
  );
  assert.equal(alice.messages().filter((m) => m.from === alice.peerId).length, 0);
});

test('join and leave cross nodes; a member joining later sees who is already there', async (t) => {
  const net = await startTestnet(t, { nodes: 2 });
  const [n1, n2] = net.nodes;
  const alice = await joinRoom(n1!.url(), room);
  const bob = await joinRoom(n2!.url(), room);
  t.after(() => [alice, bob].forEach((m) => m.close()));
  await waitFor(() => alice.joins().includes(bob.peerId), 'bob’s join at alice');
  await waitFor(() => bob.joins().includes(alice.peerId), 'alice’s presence at bob');

  const carol = await joinRoom(n2!.url(), room);
  assert.deepEqual(
    new Set(carol.welcome.members),
    new Set([alice.peerId, bob.peerId]),
    'welcome lists local and remote members',
  );
  await waitFor(() => alice.joins().includes(carol.peerId), 'carol’s join at alice');
  carol.close();
  await waitFor(() => alice.leaves().includes(carol.peerId), 'carol’s leave at alice');
});

test('a node killed mid-room: its members are reported gone and the others keep talking', async (t) => {
  const net = await startTestnet(t, { nodes: 3 });
  const [n1, n2, n3] = net.nodes;
  const alice = await joinRoom(n1!.url(), room);
  const bob = await joinRoom(n2!.url(), room);
  const carol = await joinRoom(n3!.url(), room);
  t.after(() => [alice, bob, carol].forEach((m) => m.close()));
  await waitFor(
    () => alice.joins().includes(bob.peerId) && alice.joins().includes(carol.peerId),
    'everyone at alice',
  );
  await waitFor(() => carol.joins().includes(alice.peerId), 'alice at carol');

  await net.stopNode(1);
  await waitFor(
    () => alice.leaves().includes(bob.peerId) && carol.leaves().includes(bob.peerId),
    'bob reported gone',
  );
  await alice.post('still here?');
  const atCarol = JSON.parse((await carol.next('message')).data) as { data: unknown };
  assert.equal(atCarol.data, 'still here?');
});

test('/nodes lists the other nodes once their descriptor and handshake check out', async (t) => {
  const net = await startTestnet(t, { nodes: 3 });
  const [n1, n2, n3] = net.nodes;
  await waitFor(
    async () => {
      const list = (await (
        await fetch(`${n1!.url()}/nodes`, { headers: { accept: 'application/json' } })
      ).json()) as {
        nodes: Array<{ id: string; url: string; price: number }>;
      };
      const ids = new Set(list.nodes.map((n) => n.id));
      return ids.has(n2!.id()) && ids.has(n3!.id()) && !ids.has(n1!.id());
    },
    'node 1 to list nodes 2 and 3',
    20_000,
  );
  const list = (await (
    await fetch(`${n1!.url()}/nodes`, { headers: { accept: 'application/json' } })
  ).json()) as {
    nodes: Array<{ id: string; url: string; price: number }>;
  };
  const two = list.nodes.find((n) => n.id === n2!.id());
  assert.equal(two?.url, n2!.url());
  assert.equal(two?.price, 16);
});

test('members joining two nodes at the same moment meet in seconds, even with 30 s periodic lookups', async (t) => {
  const net = await startTestnet(t, {
    nodes: 2,
    nodeOptions: { discoveryLimits: { roomLookupMs: 30_000 } },
  });
  const [n1, n2] = net.nodes;
  const together = deriveRoomHash('mesh-test', 'together');
  const [alice, bob] = await Promise.all([
    joinRoom(n1!.url(), together),
    joinRoom(n2!.url(), together),
  ]);
  t.after(() => [alice, bob].forEach((m) => m.close()));
  await waitFor(
    () => alice.joins().includes(bob.peerId),
    'the follow-up lookups to link the nodes',
    12_000,
  );
});

test('a message for a member of the same node stays on that node: no other node receives a copy', async (t) => {
  const net = await startTestnet(t, { nodes: 3 });
  const [n1, n2, n3] = net.nodes;
  const alice = await joinRoom(n1!.url(), room);
  const carol = await joinRoom(n1!.url(), room);
  const bob = await joinRoom(n2!.url(), room);
  const dave = await joinRoom(n3!.url(), room);
  const members = [alice, carol, bob, dave];
  t.after(() => members.forEach((m) => m.close()));
  await waitFor(
    () => members.every((m) => m.view().size === members.length - 1),
    'every member to see the three others',
  );
  // Messages only: presence frames (rosters, deltas) keep arriving while the overlay settles.
  const received = (): number[] => [n2!, n3!].map((node) => node.meshStats().messageFramesReceived);
  // Counts once no copy has arrived for 300 ms: a relayed duplicate may come after delivery.
  const settled = async (): Promise<number[]> => {
    let last = received();
    for (let quiet = 0; quiet < 3;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const now = received();
      quiet = now.every((count, index) => count === last[index]) ? quiet + 1 : 0;
      last = now;
    }
    return last;
  };
  const broadcast = async (text: string): Promise<void> => {
    await alice.post(text);
    await Promise.all([bob.next('message'), dave.next('message')]);
  };
  // What one broadcast costs nodes 2 and 3 in message frames (flooding may bring each a copy twice).
  const start = await settled();
  await broadcast('first');
  const afterOne = await settled();
  const perBroadcast = afterOne.map((count, index) => count - start[index]!);

  await alice.post('only for carol', carol.peerId);
  await waitFor(
    () => carol.messages().some((message) => message.data === 'only for carol'),
    'the message to reach carol',
  );
  const atCarol = carol.messages().find((message) => message.data === 'only for carol')!;
  assert.equal(atCarol.from, alice.peerId);
  assert.equal(atCarol.to, carol.peerId);
  // A second broadcast marks when a copy of the message for carol would have arrived.
  await broadcast('second');

  assert.deepEqual(
    (await settled()).map((count, index) => count - afterOne[index]!),
    perBroadcast,
    'nodes 2 and 3 received the second broadcast and no copy of the message for carol',
  );
  assert.deepEqual(
    [bob, dave].map((m) => m.messages().map((message) => message.data)),
    [
      ['first', 'second'],
      ['first', 'second'],
    ],
    'bob and dave got the broadcasts only',
  );
});
