/**
 * Which addresses a node's TURN server relays to because of mesh links (docs/security.md § TURN
 * peers from links). A link by itself proves nothing about an address — behind a reverse proxy
 * every link comes from 127.0.0.1 — so a stranger's link never opens loopback; a linked node the
 * DHT verified, in a range the operator allowed with --turn-allow-mesh-peer, is a peer while the
 * link lasts. Uses coturn's turnutils_uclient as the TURN client; run inside a private namespace.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fetchToken } from '../helpers/fetch-token.js';
import { hostileLink } from '../helpers/hostile-node.js';
import { startTestNode } from '../helpers/test-node.js';
import { startTestnet } from '../helpers/test-testnet.js';
import { waitFor } from '../helpers/wait-for.js';
import { missingTools, run } from './turn-tools.js';

/** Relays 5 messages to 127.0.0.1 through the node's TURN server; the tool's output. */
async function relayToLoopback(nodeUrl: string): Promise<{ code: number | null; output: string }> {
  const { iceServers } = await fetchToken(nodeUrl);
  const turn = iceServers.find((server) => server.username !== undefined)!;
  const port = /:(\d+)\?transport=udp$/.exec(turn.urls.find((url) => url.endsWith('udp'))!)![1]!;
  return run(
    'turnutils_uclient',
    [
      '-y',
      '-c',
      '-X',
      '-n',
      '5',
      '-u',
      turn.username!,
      '-w',
      turn.credential!,
      '-p',
      port,
      '127.0.0.1',
    ],
    30_000,
  );
}

test(
  'a stranger’s link from 127.0.0.1 does not make loopback a TURN peer',
  { skip: missingTools('turnutils_uclient') },
  async (t) => {
    const node = await startTestNode(t);
    const stranger = await hostileLink(node.url());
    t.after(() => stranger.ws.close());
    await waitFor(() => node.meshStats().links === 1, 'the stranger linked');
    assert.match((await relayToLoopback(node.url())).output, /error 403 \(Forbidden\)/);
  },
);

test(
  'a DHT-verified linked node in an allowed range is a TURN peer while linked, not after',
  { skip: missingTools('turnutils_uclient') },
  async (t) => {
    const net = await startTestnet(t, {
      nodes: 2,
      nodeOptions: { turnPort: 0, turnAllowMeshPeer: ['127.0.0.0/8'] },
    });
    const [a, b] = net.nodes;
    assert.match(
      (await relayToLoopback(a!.url())).output,
      /error 403 \(Forbidden\)/,
      'no link: loopback refused',
    );
    await a!.connect(b!.url());
    let last = '';
    await waitFor(
      async () => {
        const { code, output } = await relayToLoopback(a!.url());
        last = output;
        return code === 0 && /tot_send_msgs=10, tot_recv_msgs=10/.test(output);
      },
      `relaying to the verified node's address (${last.slice(-200)})`,
      30_000,
    );
    await net.stopNode(1);
    await waitFor(() => a!.meshStats().links === 0, 'the link gone');
    assert.match(
      (await relayToLoopback(a!.url())).output,
      /error 403 \(Forbidden\)/,
      'the link gone: loopback refused again',
    );
  },
);
