import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveRoomHash } from '@sigmesh/protocol';
import { joinRaw } from '../../helpers/raw-member.js';
import { joinRoom } from '../../helpers/room-client.js';
import { startTestnet } from '../../helpers/test-testnet.js';
import { waitFor } from '../../helpers/wait-for.js';

// Presence bursts with default queue limits: a room of 1,100 members on two nodes, three members
// joining on a third node, then the node holding 400 of them stopping. Members that read
// promptly must never be cut as slow consumers, and must see every join and leave.

const room = deriveRoomHash('burst-test', 'crowd');

/** `count` members that read everything and keep nothing (the test process parses only a few). */
async function crowd(url: string, count: number): Promise<Array<{ destroy(): void }>> {
  const members: Array<{ destroy(): void }> = [];
  for (let i = 0; i < count; i += 50)
    members.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(50, count - i) }, () => joinRaw(url, room, 'drain')),
      )),
    );
  return members;
}

test('700 + 400 members on two nodes: newcomers on a third get them all, nobody is cut, and a node’s 400 leave at once', async (t) => {
  const net = await startTestnet(t, {
    nodes: 3,
    nodeOptions: {
      maxStreamsPerAddress: 2_000,
      maxMembersPerRoom: 2_000,
      // Presence under test, not pricing: a busy machine must not price the joins out.
      load: { current: () => ({ cpu: 0, mem: 0, smoothed: 0 }) },
    },
  });
  const [a, b, c] = net.nodes;
  const watcherOnB = await joinRoom(b!.url(), room);
  t.after(() => watcherOnB.close());
  const onB = await crowd(b!.url(), 699);
  const onC = await crowd(c!.url(), 400);
  t.after(() => [...onB, ...onC].forEach((m) => m.destroy()));
  const newcomers = await Promise.all([1, 2, 3].map(() => joinRoom(a!.url(), room)));
  t.after(() => newcomers.forEach((m) => m.close()));
  await waitFor(
    () => newcomers.every((m) => m.view().size === 1_100 + 2),
    'every newcomer sees the whole room',
    30_000,
  );
  for (const node of net.nodes) assert.equal(node.stats().slowConsumersCut, 0);
  const presenceEvents = newcomers[0]!.events.filter((e) => e.event === 'presence').length;
  t.diagnostic(`a newcomer learned 1,102 members in ${presenceEvents} presence events`);
  assert.ok(presenceEvents < 50, `${presenceEvents} presence events for 1,102 members`);

  await net.stopNode(2); // node C and its 400 members go
  await waitFor(
    () => newcomers.every((m) => m.view().size === 700 + 2),
    'C’s 400 members gone from every newcomer’s view',
    15_000,
  );
  await waitFor(() => watcherOnB.view().size === 699 + 3, 'and from a member on B');
  for (const node of [a!, b!]) assert.equal(node.stats().slowConsumersCut, 0);
});
