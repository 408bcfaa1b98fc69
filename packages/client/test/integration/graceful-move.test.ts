/**
 * A node stopping gracefully (SIGTERM in `sigmesh start`, here `stop({ drainMs })`) sends its
 * members `bye`; a client joins the room on another node before leaving the stopping one, so
 * the room stays joined, its peers stay connected and nobody sees it leave.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Room } from '../../src/index.js';
import { startMeshTestnet } from '../helpers/testnet.js';
import { joinWithWerift, nextEvent } from '../helpers/werift-client.js';

test('a client on a node that stops gracefully moves to another node first and keeps the room and its peers', async (t) => {
  const testnet = await startMeshTestnet(t, 3);
  const [n1, n2, n3] = testnet.nodes;
  const options = { appId: 'test', room: 'moving', turn: false, k: 1 };
  const a = await joinWithWerift(t, { ...options, nodes: [n1!.url()] });
  const aJoined = nextEvent(a, 'peer-join');
  const b = await joinWithWerift(t, { ...options, nodes: [n2!.url()] });
  await Promise.all([aJoined, nextEvent(b, 'peer-join')]);
  assert.deepEqual(a.nodes, [n1!.url()]);

  const errors: unknown[] = [];
  const views: string[][] = [];
  const leaves: unknown[] = [];
  a.on('error', (error) => errors.push(error));
  b.on('error', (error) => errors.push(error));
  a.on('nodes', (urls) => views.push([...urls]));
  b.on('peer-leave', (id) => leaves.push(id));
  a.on('peer-leave', (id) => leaves.push(id));

  const stopping = n1!.url();
  const started = Date.now();
  await n1!.stop({ drainMs: 15_000 });
  const took = Date.now() - started;
  assert.ok(took < 10_000, `the node waited ${took} ms: the client did not leave after moving`);
  assert.equal(a.nodes.length, 1);
  assert.notEqual(a.nodes[0], stopping);
  assert.ok(
    views.some((urls) => urls.length === 2 && urls.includes(stopping)),
    `joined the new node while still on the stopping one: ${JSON.stringify(views)}`,
  );
  assert.deepEqual(errors, [], 'a bye is no error');

  // The connection between the peers never depended on the node; it is still open.
  const atB = nextEvent(b, 'message');
  await a.send('after the move', b.selfId);
  assert.deepEqual(await atB, ['after the move', a.selfId]);
  const atA = nextEvent(a, 'message');
  await b.send('welcome back', a.selfId);
  assert.deepEqual(await atA, ['welcome back', b.selfId]);

  // The room is still joined: a newcomer on the third node finds and connects to a.
  const cSees = new Set<string>();
  const c: Room = await joinWithWerift(t, { ...options, nodes: [n3!.url()] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the newcomer did not meet a and b')), 20_000);
    const check = (id: unknown): void => {
      cSees.add(String(id));
      if (cSees.has(a.selfId) && cSees.has(b.selfId)) {
        clearTimeout(timer);
        resolve();
      }
    };
    c.on('peer-join', check);
    for (const peer of c.peers()) check(peer.id);
  });
  assert.deepEqual(leaves, [], 'no peer saw anyone leave');
});
