/**
 * Issue 11, finding 1: idle TCP connections (no bytes, no PoW) used to exhaust the node's file
 * descriptors and crash it (EMFILE thrown from the load sampler). The node runs in its own
 * process under `ulimit -n 256`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fetchToken } from '../../helpers/fetch-token.js';
import { openIdleConnections } from '../../helpers/idle-flood.js';
import { spawnNodeProcess } from '../../helpers/node-process.js';
import { rawRequest } from '../../helpers/raw-http.js';
import { TurnUdpClient } from '../../helpers/turn-udp-client.js';

const json = { accept: 'application/json' };

test('under ulimit -n 256, 300 idle connections from one address neither crash the node nor starve another address', async (t) => {
  const node = await spawnNodeProcess(t, { nofile: 256, args: ['--load-sample-ms', '50'] });
  const flood = await openIdleConnections({
    port: node.port,
    count: 300,
    localAddress: '127.0.0.1',
  });
  t.after(() => flood.close());
  // The load sampler runs every 50 ms: 20 samples in which a missing descriptor could kill it.
  await sleep(1000);
  assert.ok(node.alive(), `the node died:\n${node.stderr()}`);
  const other = await rawRequest(`${node.url}/`, { headers: json, localAddress: '127.0.0.2' });
  assert.equal(other.status, 200);
  assert.ok(node.openFds() < 256, `open descriptors ${node.openFds()}`);
  assert.ok(node.alive());
});

test('under ulimit -n 256, TURN allocations cannot use up the descriptors HTTP needs', async (t) => {
  const node = await spawnNodeProcess(t, {
    nofile: 256,
    args: ['--load-sample-ms', '50', '--pow-base-difficulty', '16', '--pow-free-messages', '1000'],
  });
  const tokens = await Promise.all(Array.from({ length: 30 }, () => fetchToken(node.url)));
  const turnUrl = tokens[0]!.iceServers.flatMap((s) => s.urls).find((u) => u.startsWith('turn:'))!;
  const turnPort = Number(/:(\d+)\?/.exec(turnUrl)![1]);
  const clients: TurnUdpClient[] = [];
  t.after(() => clients.forEach((c) => c.close()));
  const outcomes: (number | 'granted' | 'unanswered')[] = [];
  // 6 addresses × 50 allocations, 10 per credential: 300 relay sockets wanted.
  for (let a = 0; a < 6; a++) {
    assert.ok(node.alive(), `the node died:\n${node.stderr()}`);
    const local = `127.0.0.${11 + a}`;
    const probe = await TurnUdpClient.open(turnPort, local);
    clients.push(probe);
    const challenge = await probe.challenge().catch(async (error: unknown) => {
      await sleep(200);
      assert.ok(node.alive(), `the node died:\n${node.stderr()}`);
      throw error;
    });
    const batch = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const server = tokens[a * 5 + Math.floor(i / 10)]!.iceServers.find((s) => s.username)!;
        const client = await TurnUdpClient.open(turnPort, local);
        clients.push(client);
        try {
          const answer = await client.allocate({
            username: server.username!,
            password: server.credential!,
            ...challenge,
          });
          return answer.error ?? 'granted';
        } catch {
          return 'unanswered' as const;
        }
      }),
    );
    outcomes.push(...batch);
  }
  await sleep(500);
  assert.ok(node.alive(), `the node died:\n${node.stderr()}`);
  const granted = outcomes.filter((o) => o === 'granted').length;
  assert.ok(granted > 0, 'some allocations were granted');
  const served = await rawRequest(`${node.url}/`, { headers: json, localAddress: '127.0.0.2' });
  assert.equal(served.status, 200, 'HTTP is still served');
  const flood = await openIdleConnections({
    port: node.port,
    count: 10,
    localAddress: '127.0.0.3',
  });
  t.after(() => flood.close());
  await sleep(200);
  assert.ok(node.alive(), `the node died:\n${node.stderr()}`);
  assert.equal(
    (await rawRequest(`${node.url}/`, { headers: json, localAddress: '127.0.0.4' })).status,
    200,
  );
});
