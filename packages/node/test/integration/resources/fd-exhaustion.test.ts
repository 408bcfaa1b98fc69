/**
 * Issue 11, finding 1: idle TCP connections (no bytes, no PoW) and TURN allocations used to
 * exhaust the node's file descriptors and crash it (EMFILE thrown from the load sampler's
 * `process.memoryUsage()`). The node runs in its own process under `ulimit -n 256`, sizes its
 * caps from that limit, refuses what is over them and keeps serving what it holds.
 */
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseErrorBody, type TokenResult } from '@sigmesh/protocol';
import { fetchToken } from '../../helpers/fetch-token.js';
import { openIdleConnections, type IdleFlood } from '../../helpers/idle-flood.js';
import { spawnNode, type NodeProcess } from '../../helpers/node-process.js';
import { rawRequest } from '../../helpers/raw-http.js';
import { TurnUdpClient } from '../../helpers/turn-udp-client.js';
import { waitFor } from '../../helpers/wait-for.js';

const json = { accept: 'application/json' };

/** The caps the node logged at start (its `resource caps` line). */
function loggedCaps(node: NodeProcess): { maxConnections: number; turnMaxAllocations: number } {
  const line = node.logs.find((entry) => entry.msg === 'resource caps');
  assert.ok(line, 'the node logs its resource caps');
  return line as unknown as { maxConnections: number; turnMaxAllocations: number };
}

/** The catalog codes in what a flood's refused connections were told. */
function refusalCodes(flood: IdleFlood): Set<string | undefined> {
  return new Set(
    flood.answers().map((text) => parseErrorBody(JSON.parse(text.split('\r\n\r\n')[1]!))?.code),
  );
}

test('under ulimit -n 256, 300 idle connections from one address neither crash the node nor starve another address', async (t) => {
  const node = await spawnNode(t, { nofile: 256, args: ['--load-sample-ms', '50'] });
  assert.ok(
    node.logs.some((entry) => entry.level === 40 && /open-file limit 256/.test(String(entry.msg))),
    'one start-up warning says the limit is below what the default caps need',
  );
  const flood = await openIdleConnections({
    port: node.port,
    count: 300,
    localAddress: '127.0.0.1',
  });
  t.after(() => flood.close());
  // The load sampler runs every 50 ms: 20 samples in which a missing descriptor could kill it.
  await sleep(1000);
  assert.ok(node.alive(), `the node died:\n${node.stderr()}`);
  // The refusals are answered and closed as the node gets to them (slower on a loaded machine):
  // the counts must come to the cap, and stay there.
  await waitFor(
    () => flood.held() === 128 && flood.closedByServer() === 172,
    '128 connections held (--max-connections-per-address) and 172 closed by the node',
    15_000,
  );
  assert.equal(flood.held(), 128, 'the address holds --max-connections-per-address');
  assert.deepEqual(refusalCodes(flood), new Set(['TOO_MANY_CONNECTIONS']));

  const other = await rawRequest(`${node.url}/`, { headers: json, localAddress: '127.0.0.2' });
  assert.equal(other.status, 200, 'another address is served');
  const started = Date.now();
  const same = await rawRequest(`${node.url}/`, { headers: json, localAddress: '127.0.0.1' });
  const refusedIn = Date.now() - started;
  assert.equal(same.status, 429);
  assert.equal((same.json() as { code: string }).code, 'TOO_MANY_CONNECTIONS');
  assert.equal(same.headers['retry-after'], '10');
  const fds = node.openFds();
  assert.ok(fds < 256, `open descriptors ${fds}`);
  t.diagnostic(
    `held 128 of 300 from one address; ${fds} descriptors open; refused in ${refusedIn} ms`,
  );
  assert.ok(node.alive());
});

test('under ulimit -n 256, connections from many addresses stop at --max-connections; held connections keep being served', async (t) => {
  const node = await spawnNode(t, { nofile: 256, args: ['--load-sample-ms', '50'] });
  const { maxConnections } = loggedCaps(node);
  assert.ok(maxConnections > 10 && maxConnections < 256, `derived cap ${maxConnections}`);
  // A client that connected before the flood, on a keep-alive connection.
  const agent = new Agent({ keepAlive: true, maxSockets: 1, localAddress: '127.0.0.2' });
  t.after(() => agent.destroy());
  const viaAgent = () =>
    fetchStatus(`${node.url}/`, agent).catch((error: unknown) => `failed: ${String(error)}`);
  assert.equal(await viaAgent(), 200);

  const floods: IdleFlood[] = [];
  t.after(() => floods.forEach((flood) => flood.close()));
  // TURN over TCP too: its own caps, so both floods together stay inside the limit.
  const turnPort = await turnPortOf(node);
  const turnFloods: IdleFlood[] = [];
  t.after(() => turnFloods.forEach((flood) => flood.close()));
  for (let i = 0; i < 4; i++)
    turnFloods.push(
      await openIdleConnections({
        port: turnPort,
        count: 20,
        localAddress: `127.0.0.${40 + i}`,
        settleMs: 50,
      }),
    );
  const turnHeld = turnFloods.reduce((sum, flood) => sum + flood.held(), 0);
  for (let i = 0; i < 8; i++)
    floods.push(
      await openIdleConnections({
        port: node.port,
        count: 30,
        localAddress: `127.0.0.${10 + i}`,
        settleMs: 50,
      }),
    );
  await sleep(500);
  assert.ok(node.alive(), `the node died:\n${node.stderr()}`);
  const held = floods.reduce((sum, flood) => sum + flood.held(), 0);
  // Every slot but the keep-alive client's (and the test's own pooled fetch connections).
  assert.ok(held <= maxConnections - 1 && held >= maxConnections - 4, `flood holds ${held}`);
  assert.ok(floods.some((flood) => refusalCodes(flood).has('CONNECTION_LIMIT')));
  const newcomer = await rawRequest(`${node.url}/`, { headers: json, localAddress: '127.0.0.30' });
  assert.equal(newcomer.status, 503);
  assert.equal((newcomer.json() as { code: string }).code, 'CONNECTION_LIMIT');
  assert.equal(await viaAgent(), 200, 'the connection held before the flood is still served');
  const fds = node.openFds();
  assert.ok(fds < 256, `open descriptors ${fds}`);
  assert.ok(turnHeld > 0 && turnHeld < 80, `TURN TCP holds ${turnHeld}`);
  t.diagnostic(
    `cap ${maxConnections}: flood holds ${held} HTTP and ${turnHeld} TURN TCP connections; ${fds} descriptors open`,
  );

  floods.forEach((flood) => flood.close());
  await sleep(300);
  const after = await rawRequest(`${node.url}/`, { headers: json, localAddress: '127.0.0.30' });
  assert.equal(after.status, 200, 'served again once the flood is gone');
});

test('under ulimit -n 256, TURN allocations stop at their derived cap and leave the descriptors HTTP needs', async (t) => {
  const node = await spawnNode(t, {
    nofile: 256,
    args: ['--load-sample-ms', '50', '--pow-base-difficulty', '16', '--pow-free-messages', '1000'],
  });
  const { turnMaxAllocations } = loggedCaps(node);
  const tokens = await Promise.all(Array.from({ length: 30 }, () => fetchToken(node.url)));
  const turnPort = turnPortOfToken(tokens[0]!);
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
  assert.equal(granted, turnMaxAllocations, 'allocations up to the derived cap');
  assert.ok(outcomes.includes(508), 'the rest get 508');
  assert.ok(!outcomes.includes('unanswered'), 'every Allocate is answered');
  const served = await rawRequest(`${node.url}/`, { headers: json, localAddress: '127.0.0.2' });
  assert.equal(served.status, 200, 'HTTP is still served');
  const flood = await openIdleConnections({
    port: node.port,
    count: 10,
    localAddress: '127.0.0.3',
  });
  t.after(() => flood.close());
  assert.equal(flood.held(), 10);
  assert.ok(node.alive(), `the node died:\n${node.stderr()}`);
  assert.equal(
    (await rawRequest(`${node.url}/`, { headers: json, localAddress: '127.0.0.4' })).status,
    200,
  );
  const fds = node.openFds();
  assert.ok(fds < 256, `open descriptors ${fds}`);
  t.diagnostic(`${granted} allocations granted of 300 asked; ${fds} descriptors open`);
});

/** The TURN port in a `/token` answer. */
function turnPortOfToken(token: TokenResult): number {
  const url = token.iceServers.flatMap((s) => s.urls).find((u) => u.startsWith('turn:'))!;
  return Number(/:(\d+)\?/.exec(url)![1]);
}

/** The node's TURN port (paying for one `/token`). */
async function turnPortOf(node: NodeProcess): Promise<number> {
  return turnPortOfToken(await fetchToken(node.url));
}

/** GET through a given agent; resolves with the status. */
async function fetchStatus(url: string, agent: Agent): Promise<number> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: json }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}
