/**
 * werift ↔ werift data channels with `iceTransportPolicy: 'relay'`, using ICE servers from a
 * node's `POST /token`: through the node's own TURN server (UDP and TCP), and through a coturn
 * configured with `--turn-external`. Run inside a private namespace:
 *   unshare -n sh -c 'ip link set lo up; node scripts/run-tests.mjs packages/node/test/interop/turn-werift.test.ts'
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TurnIceServer } from '@sigmesh/protocol';
import type { RTCIceServer } from 'werift';
import { fetchToken } from '../helpers/fetch-token.js';
import { startTestNode } from '../helpers/test-node.js';
import { findBinary, freePort, run, startCoturn } from './turn-tools.js';

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
    const answer = await fetchToken(node.url());
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
    const answer = await fetchToken(node.url());
    assert.ok(
      answer.iceServers.some((s) => s.urls.includes(`turn:127.0.0.1:${port}?transport=udp`)),
    );
    const { echoed, relayTypes } = await relayedDataChannel(turnOnly(answer.iceServers, 'udp'));
    assert.equal(echoed, 'echo:hello through TURN');
    assert.ok(relayTypes.every((type) => type === 'relay'));
  },
);
