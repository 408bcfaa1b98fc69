import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startMeshTestnet } from '../helpers/testnet.js';
import { joinWithWerift, nextEvent } from '../helpers/werift-client.js';

test('two werift clients on different nodes connect and exchange messages', async (t) => {
  const testnet = await startMeshTestnet(t, 3);
  const [n1, n2] = testnet.nodes;
  const a = await joinWithWerift(t, { appId: 'test', room: 'r1', nodes: [n1!.url()], turn: false });
  const aJoined = nextEvent(a, 'peer-join');
  const b = await joinWithWerift(t, { appId: 'test', room: 'r1', nodes: [n2!.url()], turn: false });
  const bJoined = nextEvent(b, 'peer-join');
  assert.deepEqual(await aJoined, [b.selfId]);
  assert.deepEqual(await bJoined, [a.selfId]);
  const got = nextEvent(b, 'message');
  await a.send({ hello: 'b' });
  assert.deepEqual(await got, [{ hello: 'b' }, a.selfId]);
});
