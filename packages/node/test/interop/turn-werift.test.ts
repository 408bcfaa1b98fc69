/**
 * werift ↔ werift data channels with `iceTransportPolicy: 'relay'`, using ICE servers from a
 * node's `POST /token`: through the node's own TURN server (UDP and TCP), and through a coturn
 * configured with `--turn-external`. Run inside a private namespace:
 *   unshare -n sh -c 'ip link set lo up; node scripts/run-tests.mjs packages/node/test/interop/turn-werift.test.ts'
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { parseTokenResult, type TokenResult, type TurnIceServer } from '@sigmesh/protocol';
import type { RTCIceServer } from 'werift';
import { fetchNodeInfo, postWithPow } from '../../src/cli/node-api-client.js';
import { startTestNode } from '../helpers/test-node.js';
import { findBinary, run } from './turn-tools.js';
import { StunMethod } from '../../src/turn/stun-message.js';
import { request } from '../turn/turn-test-client.js';

async function token(baseUrl: string): Promise<TokenResult> {
  const info = await fetchNodeInfo(baseUrl);
  const answer = parseTokenResult(
    await postWithPow(
      `${baseUrl}/token`,
      {},
      { challenge: info.pow.challenges.token, difficulty: info.pow.price, scope: 'token' },
    ),
  );
  assert.ok(answer.ok, answer.ok ? '' : answer.message);
  return answer.value;
}

/** Keeps only TURN URLs of one transport (werift uses the first TURN URL it finds). */
function turnOnly(servers: readonly TurnIceServer[], transport: 'udp' | 'tcp'): RTCIceServer[] {
  return servers
    .map((server) => ({
      ...server,
      urls: server.urls.filter(
        (url) => url.startsWith('turn:') && url.endsWith(`transport=${transport}`),
      ),
    }))
    .filter((server) => server.urls.length > 0)
    .map((server) => ({
      urls: [...server.urls],
      ...(server.username === undefined
        ? {}
        : { username: server.username, credential: server.credential ?? '' }),
    }));
}

/** Runs the two werift peers in a child process (see werift-relay-peers.ts). */
async function relayedDataChannel(
  iceServers: RTCIceServer[],
): Promise<{ echoed: string; relayTypes: string[] }> {
  const script = new URL('./werift-relay-peers.ts', import.meta.url).pathname;
  const { code, output } = await run(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', script, JSON.stringify(iceServers)],
    30_000,
  );
  assert.equal(code, 0, output);
  const line = output.split('\n').find((l) => l.startsWith('{'));
  assert.ok(line !== undefined, output);
  return JSON.parse(line) as { echoed: string; relayTypes: string[] };
}

for (const transport of ['udp', 'tcp'] as const) {
  test(`werift ↔ werift data channel relays through the node's own TURN over ${transport}`, async (t) => {
    const node = await startTestNode(t, { turnAllowPeer: ['127.0.0.0/8'] });
    const answer = await token(node.url());
    assert.ok(answer.ttl > 0);
    assert.ok(answer.iceServers.some((s) => s.urls.some((u) => u.startsWith('stun:127.0.0.1:'))));
    const { echoed, relayTypes } = await relayedDataChannel(turnOnly(answer.iceServers, transport));
    assert.equal(echoed, 'echo:hello through TURN');
    assert.ok(
      relayTypes.length > 0 && relayTypes.every((type) => type === 'relay'),
      `only relay candidates: ${relayTypes.join(',')}`,
    );
  });
}

async function freePort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

async function startCoturn(t: TestContext, port: number, secret: string): Promise<void> {
  const child = spawn(
    'turnserver',
    [
      '-n',
      '--listening-ip=127.0.0.1',
      `--listening-port=${port}`,
      '--relay-ip=127.0.0.1',
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=sigmesh',
      '--allow-loopback-peers',
      '--no-cli',
      '--no-tls',
      '--no-dtls',
      '--log-file=stdout',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  t.after(() => {
    child.kill('SIGTERM');
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // Ready when it answers a STUN Binding request.
  const probe = createSocket('udp4');
  try {
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`coturn exited ${child.exitCode}: ${output.slice(-400)}`);
      if (Date.now() > deadline) throw new Error(`coturn did not answer: ${output.slice(-400)}`);
      probe.send(request(StunMethod.binding, []).bytes, port, '127.0.0.1');
      try {
        await once(probe, 'message', { signal: AbortSignal.timeout(200) });
        return;
      } catch {
        // not yet
      }
    }
  } finally {
    probe.close();
  }
}

test(
  'the same data channel relays through coturn with credentials for --turn-external',
  {
    skip:
      findBinary('turnserver') === undefined
        ? 'turnserver not installed (apt-get install -y coturn)'
        : false,
  },
  async (t) => {
    const port = await freePort();
    const secret = 'shared-with-coturn';
    await startCoturn(t, port, secret);
    const node = await startTestNode(t, { turnExternal: `127.0.0.1:${port}`, turnSecret: secret });
    const answer = await token(node.url());
    assert.ok(
      answer.iceServers.some((s) => s.urls.includes(`turn:127.0.0.1:${port}?transport=udp`)),
    );
    const { echoed, relayTypes } = await relayedDataChannel(turnOnly(answer.iceServers, 'udp'));
    assert.equal(echoed, 'echo:hello through TURN');
    assert.ok(relayTypes.every((type) => type === 'relay'));
  },
);
