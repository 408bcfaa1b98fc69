/**
 * `sigmesh start` stopping on SIGTERM with members on it: they get `bye` with other nodes to go
 * to, new joins and probes are refused with NODE_STOPPING while it drains, and the process exits
 * 0 as soon as its members have moved — or after `--drain-ms` when they do not.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveRoomHash, parseByeEvent } from '@sigmesh/protocol';
import { spawnNode } from '../../helpers/node-process.js';
import { joinRoom } from '../../helpers/room-client.js';
import { waitFor } from '../../helpers/wait-for.js';

const room = deriveRoomHash('graceful-test', 'lobby');

test('on SIGTERM members get bye naming another node, joins get NODE_STOPPING, and the process exits 0 once they moved', async (t) => {
  const other = await spawnNode(t);
  const node = await spawnNode(t, { args: ['--drain-ms', '20000', '--mesh-peers', other.url] });
  await waitFor(async () => {
    const status = (await (await fetch(`${node.url}/status`)).json()) as { links: unknown[] };
    return status.links.length > 0;
  }, 'the nodes to link');
  const a = await joinRoom(node.url, room);
  const b = await joinRoom(node.url, room);
  const started = Date.now();
  node.signal('SIGTERM');
  const [byeA, byeB] = await Promise.all([a.next('bye'), b.next('bye')]);
  const bye = parseByeEvent(JSON.parse(byeA.data));
  assert.ok(bye.ok, byeA.data);
  assert.equal(bye.value.reason, 'stopping');
  assert.equal(bye.value.drainMs, 20000);
  assert.ok(bye.value.retryAfterMs >= 1000);
  assert.deepEqual(bye.value.nodes, [other.url], 'the linked node is offered');
  assert.equal(byeB.data, byeA.data);

  // Draining: a probe and a join are refused, with a Retry-After, before any proof-of-work.
  const probe = await fetch(`${node.url}/`, { headers: { accept: 'application/json' } });
  assert.equal(probe.status, 503);
  assert.equal(((await probe.json()) as { code: string }).code, 'NODE_STOPPING');
  assert.ok(Number(probe.headers.get('retry-after')) >= 1);
  const join = await fetch(`${node.url}/room/${room}`, {
    headers: { accept: 'text/event-stream' },
  });
  assert.equal(join.status, 503);
  assert.equal(((await join.json()) as { code: string }).code, 'NODE_STOPPING');
  // Monitoring still answers while draining.
  assert.equal((await fetch(`${node.url}/status`)).status, 200);
  assert.ok(node.alive(), 'the node waits for its members');

  // The members move (here: they just leave); the node exits at once, long before 20 s.
  a.close();
  b.close();
  const { code } = await node.exited;
  assert.equal(code, 0);
  assert.ok(Date.now() - started < 10_000, `stopped after ${Date.now() - started} ms`);
  const drained = node.logs.find((entry) => entry.msg === 'drain finished');
  assert.deepEqual(
    { told: drained?.told, remaining: drained?.remaining },
    { told: 2, remaining: 0 },
  );
});

test('members that do not move are closed after --drain-ms; a second SIGTERM cuts the drain short', async (t) => {
  const node = await spawnNode(t, { args: ['--drain-ms', '800'] });
  const member = await joinRoom(node.url, room);
  const started = Date.now();
  node.signal('SIGTERM');
  await member.next('bye');
  const { code } = await node.exited;
  assert.equal(code, 0);
  const took = Date.now() - started;
  assert.ok(took >= 700 && took < 8000, `exited after ${took} ms`);
  const drained = node.logs.find((entry) => entry.msg === 'drain finished');
  assert.equal(drained?.remaining, 1);

  const stubborn = await spawnNode(t, { args: ['--drain-ms', '60000'] });
  await joinRoom(stubborn.url, room);
  const second = Date.now();
  stubborn.signal('SIGTERM');
  await waitFor(
    () =>
      stubborn.logs.some(
        (entry) => typeof entry.msg === 'string' && entry.msg.startsWith('draining'),
      ),
    'the drain to begin',
  );
  stubborn.signal('SIGTERM');
  assert.equal((await stubborn.exited).code, 0);
  assert.ok(Date.now() - second < 10_000, 'the second SIGTERM stopped it without the 60 s drain');
});
