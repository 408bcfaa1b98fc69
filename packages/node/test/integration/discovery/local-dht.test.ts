import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLocalDht } from '../../../src/discovery/local-dht.js';
import { createDhtClient } from '../../../src/discovery/dht-client.js';
import { roomKey } from '../../../src/discovery/dht-keys.js';

test('a 30-node loopback DHT joins one node after another; every node has a routing table', async (t) => {
  const started = performance.now();
  const dht = await createLocalDht({ nodes: 30 });
  try {
    const joinMs = performance.now() - started;
    assert.equal(dht.bootstrap.length, 30);
    assert.ok(dht.bootstrap.every((address) => address.host === '127.0.0.1' && address.port > 0));
    const empty = dht.nodes.filter((node) => node.nodes.count() === 0);
    assert.equal(empty.length, 0, 'no node is left with an empty routing table');

    // An announce through the first node is found from the last one.
    const [firstNode, lastNode] = [dht.nodes[0], dht.nodes[29]];
    assert.ok(firstNode && lastNode);
    const first = createDhtClient(firstNode, 5_000);
    const last = createDhtClient(lastNode, 5_000);
    const key = roomKey('ef'.repeat(20), 1);
    await first.announce(key, 4242);
    const peers = await last.lookup(key, 10);
    assert.deepEqual(peers, [{ host: '127.0.0.1', port: 4242 }]);
    t.diagnostic(`30 nodes joined in ${joinMs.toFixed(0)} ms`);
  } finally {
    await dht.close();
    await dht.close();
  }
});
