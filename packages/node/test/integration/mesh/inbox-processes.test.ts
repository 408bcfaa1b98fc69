/**
 * Issue 14: inboxes across `sigmesh start` processes on a loopback DHT. Bob listens on his inbox
 * at two nodes (as the client does, k = 2); Alice rings from a third. Her ring reaches Bob, his
 * answer reaches her and nobody else, and when one of Bob's nodes is SIGKILLed the next ring
 * still reaches him through the other.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { inboxOf, newKey, ownerQuery, ringUntilHeard } from '../../helpers/inbox-owner.js';
import { spawnNode, startProcessDht, type NodeProcess } from '../../helpers/node-process.js';
import { joinRoom } from '../../helpers/room-client.js';

test('3 node processes: a ring crosses the mesh to the inbox owner, and again after one of his nodes is killed', async (t) => {
  const { bootstrap } = await startProcessDht(t, 5);
  const nodes: NodeProcess[] = [];
  for (let i = 0; i < 3; i++)
    nodes.push(await spawnNode(t, { args: ['--dht-bootstrap', bootstrap] }));
  const [n1, n2, n3] = nodes as [NodeProcess, NodeProcess, NodeProcess];

  const bobKey = newKey();
  const inbox = inboxOf(bobKey);
  const bobOn2 = await joinRoom(n2.url, inbox, ownerQuery(bobKey, inbox));
  const bobOn3 = await joinRoom(n3.url, inbox, ownerQuery(bobKey, inbox));
  const alice = await joinRoom(n1.url, inbox);
  const eve = await joinRoom(n3.url, inbox);
  t.after(() => [bobOn2, bobOn3, alice, eve].forEach((m) => m.close()));
  assert.deepEqual([bobOn2.welcome.role, alice.welcome.role], ['owner', 'guest']);

  await ringUntilHeard(alice, bobOn3, { ring: 1 }, 30_000);
  await bobOn3.post({ answer: 1 }, alice.peerId);
  const answer = JSON.parse((await alice.next('message', 10_000)).data) as { data: unknown };
  assert.deepEqual(answer.data, { answer: 1 });

  n3.signal('SIGKILL');
  // Bob's listener on node 2 hears the next ring (it may have heard earlier copies too).
  const before = bobOn2.messages().length;
  await ringUntilHeard(alice, bobOn2, { ring: 2 }, 30_000);
  await sleep(100);
  assert.ok(
    bobOn2
      .messages()
      .slice(before)
      .some((m) => JSON.stringify(m.data) === '{"ring":2}'),
    'the second ring reached Bob through his other node',
  );
  assert.deepEqual(eve.messages(), [], 'a guest on Bob’s node heard none of it');
});
