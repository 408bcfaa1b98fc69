import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import {
  descriptorSalt,
  encodeNodeDescriptor,
  parseNodeDescriptor,
  utf8,
  type NodeDescriptor,
} from '@sigmesh/protocol';
import { networkKey } from '../../src/discovery/dht-keys.js';
import { defaultDiscoveryLimits } from '../../src/discovery/discovery-limits.js';
import { createSigner } from '../../src/discovery/ed25519-keys.js';
import { createNodeDirectory } from '../../src/discovery/node-directory.js';
import { signItem } from '../../src/discovery/signed-item.js';
import { createFakeDht, recordingLogger } from './fake-dht-client.js';

function node(
  port: number,
  clock: { now: number },
  ids: Map<number, string>,
  signer = newSigner(),
  skewMs = 0,
) {
  ids.set(port, signer.id);
  const directory = createNodeDirectory({
    signer,
    now: () => clock.now + skewMs,
    log: recordingLogger(),
    limits: defaultDiscoveryLimits,
    networkKey: networkKey('test-net'),
    announcePort: () => port,
    publicUrl: () => `http://127.0.0.1:${port}`,
    price: () => 1000 + port,
    version: '1.2.3',
    identify: (address) => Promise.resolve(ids.get(address.port)),
    ignore: (address) => address.port === port,
  });
  return { signer, directory };
}

function newSigner() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return createSigner({ publicKey, privateKey });
}

test('nodes announce, publish and find each other by verified descriptor', async () => {
  const fake = createFakeDht();
  const clock = { now: 1_700_000_000_000 };
  const ids = new Map<number, string>();
  const [first, second, third] = [8001, 8002, 8003].map((port) => node(port, clock, ids));
  assert.ok(first && second && third);
  const nodes = [first, second, third];
  for (const { directory } of nodes) {
    await directory.announce(fake.client());
    await directory.publish(fake.client());
  }
  const found = await first.directory.lookupNodes(fake.client());
  assert.deepEqual(
    found.map((n) => [n.descriptor.url, n.descriptor.price, n.descriptor.id]).sort(),
    [
      ['http://127.0.0.1:8002', 9002, second.signer.id],
      ['http://127.0.0.1:8003', 9003, third.signer.id],
    ],
  );
  assert.equal(first.directory.known().length, 2);
});

test('republishing raises seq even when the clock stands still or goes back', async () => {
  const fake = createFakeDht();
  const clock = { now: 1_700_000_000_000 };
  const { directory, signer } = node(8001, clock, new Map());
  const first = await directory.publish(fake.client());
  const second = await directory.publish(fake.client());
  assert.ok(second > first);
  // A restart with a clock an hour behind: the DHT answers 302, the directory reads and goes past it.
  const restarted = node(8001, clock, new Map(), signer, -3_600_000);
  assert.equal(await restarted.directory.publish(fake.client()), second + 1);
});

test('descriptors that are stale, name another key, or disagree with the DHT address are refused', async () => {
  const fake = createFakeDht();
  const clock = { now: 1_700_000_000_000 };
  const ids = new Map<number, string>();
  const reader = node(8001, clock, ids);
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const other = createSigner({ publicKey, privateKey });
  const salt = utf8(descriptorSalt);
  const put = async (d: Partial<NodeDescriptor>, seq: number) => {
    const descriptor: NodeDescriptor = {
      v: 1,
      id: other.id,
      url: 'http://127.0.0.1:8009',
      port: 8009,
      price: 1,
      version: 'x',
      ts: clock.now,
      ...d,
    };
    await fake.client().putMutable(signItem(other, salt, seq, encodeNodeDescriptor(descriptor)));
  };
  await put({ ts: clock.now - 2 * 3_600_000 }, 1);
  assert.equal(
    await reader.directory.lookupDescriptor(fake.client(), other.id),
    undefined,
    'stale',
  );
  await put({ id: reader.signer.id }, 2);
  assert.equal(
    await reader.directory.lookupDescriptor(fake.client(), other.id),
    undefined,
    'names another key',
  );
  await put({}, 3);
  assert.equal(
    await reader.directory.lookupDescriptor(fake.client(), other.id, {
      host: '127.0.0.1',
      port: 8010,
    }),
    undefined,
    'port mismatch',
  );
  assert.equal(
    (
      await reader.directory.lookupDescriptor(fake.client(), other.id, {
        host: '127.0.0.1',
        port: 8009,
      })
    )?.seq,
    3,
  );
});

test('parseNodeDescriptor refuses malformed records', () => {
  const good: NodeDescriptor = {
    v: 1,
    id: 'a'.repeat(64),
    url: 'https://node.example',
    port: 443,
    price: 5,
    version: '1',
    ts: 1,
  };
  assert.ok(parseNodeDescriptor(encodeNodeDescriptor(good)).ok);
  for (const bad of [
    { ...good, v: 2 },
    { ...good, id: 'A'.repeat(64) },
    { ...good, url: 'ftp://x' },
    { ...good, port: 0 },
    { ...good, price: -1 },
    { ...good, ts: 1.5 },
  ]) {
    assert.equal(parseNodeDescriptor(utf8(JSON.stringify(bad))).ok, false, JSON.stringify(bad));
  }
  assert.equal(parseNodeDescriptor(new Uint8Array([0xff, 0xfe])).ok, false);
});
