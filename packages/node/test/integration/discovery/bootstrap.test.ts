import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import { generateKeyPairSync } from 'node:crypto';
import { SigmeshError } from '@sigmesh/protocol';
import { createDiscovery } from '../../../src/discovery/discovery.js';
import { recordingLogger } from '../../discovery/fake-dht-client.js';
import { bootstrapped, someOf, startLocalDht, startMember } from './discovery-harness.js';

/** Polls `check` every 20 ms until it holds, for at most `timeoutMs`. */
async function eventually(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('an unreachable bootstrap: not bootstrapped, keeps retrying with backoff, rooms still accepted', async (t) => {
  // A UDP socket that never answers stands in for an unreachable bootstrap node.
  const silent = createSocket('udp4');
  silent.bind(0, '127.0.0.1');
  await once(silent, 'listening');
  t.after(() => silent.close());
  const member = await startMember(t, [{ host: '127.0.0.1', port: silent.address().port }], {
    limits: {
      queryTimeoutMs: 100,
      operationTimeoutMs: 1_000,
      tickMs: 60_000,
      bootstrapRetryMinMs: 50,
      bootstrapRetryMaxMs: 100,
    },
  });
  await eventually(() => member.discovery.status().bootstrapAttempts >= 3, 5_000);
  const status = member.discovery.status();
  assert.equal(status.bootstrapped, false);
  assert.equal(status.routingTableSize, 0);
  assert.match(status.lastError ?? '', /no DHT bootstrap node answered/);
  assert.ok(status.nextBootstrapAt !== null);
  assert.ok(member.log.warnings.some((message) => /no DHT bootstrap node answered/.test(message)));
  assert.equal(member.discovery.joinRoom('77'.repeat(20)), 'joined');
  assert.deepEqual(await member.discovery.lookupNodes(), []);
  await assert.rejects(
    member.discovery.dhtGet(new Uint8Array(32), new Uint8Array(0)),
    (error: unknown) => error instanceof SigmeshError && error.code === 'DHT_UNAVAILABLE',
  );
});

test("bootstrap 'none' waits, and bootstraps once another node joins through it", async (t) => {
  const seed = await startMember(t, 'none');
  await eventually(() => seed.discovery.status().bootstrapAttempts >= 1, 5_000);
  assert.equal(seed.discovery.status().bootstrapped, false);
  assert.match(seed.discovery.status().lastError ?? '', /bootstrap is none/);
  const address = seed.discovery.address();
  assert.ok(address);
  const joiner = await startMember(t, [address]);
  await Promise.all([bootstrapped(joiner), bootstrapped(seed)]);
  assert.equal(seed.discovery.status().lastError, null);
  // Two nodes are a DHT: a room rendezvous works between them.
  seed.discovery.joinRoom('88'.repeat(20));
  joiner.discovery.joinRoom('88'.repeat(20));
  await seed.discovery.refresh();
  await joiner.discovery.refresh();
  assert.deepEqual(
    joiner.discovery.roomPeers('88'.repeat(20)).map((peer) => peer.port),
    [seed.port],
  );
});

test('start and stop are idempotent; stop while starting works; a failed start can be retried', async (t) => {
  const member = await startMember(t, 'none');
  const { discovery } = member;
  assert.equal(discovery.status().state, 'running');
  await Promise.all([discovery.start(), discovery.start()]);
  await Promise.all([discovery.stop(), discovery.stop()]);
  assert.equal(discovery.status().state, 'stopped');
  assert.equal(discovery.address(), undefined);

  const starting = discovery.start();
  const stopping = discovery.stop();
  await Promise.all([starting, stopping]);
  assert.equal(discovery.status().state, 'stopped');

  await discovery.start();
  const port = discovery.address()?.port;
  assert.ok(port !== undefined && port > 0);
  // A second discovery on the same UDP port fails to start, stays stopped, and starts once the port is free.
  const other = createDiscovery({
    identity: generateKeyPairSync('ed25519'),
    log: recordingLogger(),
    bootstrap: 'none',
    dhtHost: '127.0.0.1',
    dhtPort: port,
    announcePort: 1,
    publicUrl: 'http://127.0.0.1:1',
  });
  t.after(() => other.stop());
  await assert.rejects(other.start(), /EADDRINUSE/);
  assert.equal(other.status().state, 'stopped');
  await discovery.stop();
  await other.start();
  assert.equal(other.address()?.port, port);
  await other.stop();

  // stop() really released the socket.
  const probe = createSocket('udp4');
  probe.bind(port, '127.0.0.1');
  await once(probe, 'listening');
  probe.close();
});

test('after stop and start the node rejoins the DHT and keeps its rooms', async (t) => {
  const dht = await startLocalDht(t, 6);
  const member = await startMember(t, someOf(dht));
  await bootstrapped(member);
  member.discovery.joinRoom('99'.repeat(20));
  // Stop in the middle of maintenance work.
  const refreshing = member.discovery.refresh();
  await member.discovery.stop();
  await refreshing;
  assert.equal(member.discovery.status().bootstrapped, false);
  await member.discovery.start();
  await bootstrapped(member, 3_000);
  assert.equal(member.discovery.status().rooms, 1);
});
