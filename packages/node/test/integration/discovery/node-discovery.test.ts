import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bootstrapped,
  someOf,
  startLocalDht,
  startMember,
  type Member,
} from './discovery-harness.js';

test('nodes find each other through the network key and verified descriptors', async (t) => {
  const dht = await startLocalDht(t, 15);
  const members: Member[] = [];
  for (let i = 0; i < 3; i++) members.push(await startMember(t, someOf(dht)));
  await Promise.all(members.map((member) => bootstrapped(member)));
  const started = performance.now();
  await Promise.all(members.map((member) => member.discovery.refresh()));
  for (const member of members) {
    const found = await member.discovery.lookupNodes();
    const others = members.filter((other) => other !== member);
    assert.deepEqual(
      found
        .map((node) => [
          node.descriptor.id,
          node.descriptor.url,
          node.descriptor.price,
          node.address?.port,
        ])
        .sort(),
      others
        .map((other) => [other.id, `http://127.0.0.1:${other.port}`, other.port, other.port])
        .sort(),
    );
    assert.equal(member.discovery.knownNodes().length, 2);
    assert.deepEqual(member.log.errors, []);
  }
  t.diagnostic(
    `announce + publish + lookup on 3 nodes: ${(performance.now() - started).toFixed(0)} ms`,
  );
  const status = members[0]?.discovery.status();
  assert.equal(status?.state, 'running');
  assert.equal(status?.bootstrapped, true);
  assert.ok((status?.routingTableSize ?? 0) > 0);
  // Announces, puts and lookups are KRPC datagrams out, and the answers come back in.
  assert.ok((status?.messagesSent ?? 0) > 0);
  assert.ok((status?.messagesReceived ?? 0) > 0);
  // bittorrent-dht's own datagrams, counted by method: the announce and lookup of the network
  // key (get_peers, announce_peer) and the descriptor's put and get; nothing unrecognised.
  const sent = status.queriesSent;
  for (const method of ['get_peers', 'announce_peer', 'put', 'get'] as const)
    assert.ok(sent[method] > 0, `${method} queries sent: ${JSON.stringify(sent)}`);
  assert.equal(sent.other, 0, JSON.stringify(sent));
  const asked = Object.values(status.queriesReceived).reduce((a, b) => a + b, 0);
  assert.ok(asked > 0, 'other nodes asked this one');
  assert.ok(asked <= status.messagesReceived);
});

test('republished descriptors carry a higher seq and the new price', async (t) => {
  const dht = await startLocalDht(t, 10);
  const a = await startMember(t, someOf(dht));
  let price = 100;
  const b = await startMember(t, someOf(dht), { price: () => price });
  await Promise.all([bootstrapped(a), bootstrapped(b)]);
  const first = await b.discovery.publishDescriptor();
  assert.equal((await a.discovery.lookupDescriptor(b.id))?.descriptor.price, 100);
  price = 5_000;
  const second = await b.discovery.publishDescriptor();
  assert.ok(second > first);
  const seen = await a.discovery.lookupDescriptor(b.id);
  assert.equal(seen?.seq, second);
  assert.equal(seen.descriptor.price, 5_000);
  assert.equal(b.discovery.status().descriptorSeq, second);
});
