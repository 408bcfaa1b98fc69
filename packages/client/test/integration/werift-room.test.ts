import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PeerIdentity } from '../../src/index.js';
import { startMeshTestnet } from '../helpers/testnet.js';
import { joinWithWerift, nextEvent } from '../helpers/werift-client.js';

test('two werift clients on different nodes connect and exchange messages', async (t) => {
  const testnet = await startMeshTestnet(t, 3);
  const [n1, n2] = testnet.nodes;
  const a = await joinWithWerift(t, { appId: 'test', room: 'r1', nodes: [n1!.url()], turn: false });
  const aJoined = nextEvent(a, 'peer-join');
  const b = await joinWithWerift(t, { appId: 'test', room: 'r1', nodes: [n2!.url()], turn: false });
  const bJoined = nextEvent(b, 'peer-join');
  // Without `identity`, each proves a P-256 key made for this join.
  const [bId, bIdentity] = await aJoined;
  const [aId, aIdentity] = await bJoined;
  assert.equal(bId, b.selfId);
  assert.equal(aId, a.selfId);
  assert.equal((bIdentity as PeerIdentity).algorithm, 'P-256');
  assert.equal((aIdentity as PeerIdentity).publicKey.length, 87);
  const got = nextEvent(b, 'message');
  await a.send({ hello: 'b' });
  assert.deepEqual(await got, [{ hello: 'b' }, a.selfId]);
});
