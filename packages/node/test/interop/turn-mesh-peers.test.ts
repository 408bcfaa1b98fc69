/**
 * A node's TURN server accepts the addresses of nodes it is linked with as peers, even in ranges
 * it refuses by default (loopback here): their members' relayed candidates live on those hosts.
 * Uses coturn's turnutils_uclient as the TURN client; run inside a private namespace.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fetchToken } from '../helpers/fetch-token.js';
import { startTestNode } from '../helpers/test-node.js';
import { missingTools, run } from './turn-tools.js';

test(
  'linking to a node on 127.0.0.1 makes 127.0.0.1 an allowed TURN peer; unlinked it is refused',
  { skip: missingTools('turnutils_uclient') },
  async (t) => {
    const a = await startTestNode(t);
    const b = await startTestNode(t);
    const { iceServers } = await fetchToken(a.url());
    const turn = iceServers.find((server) => server.username !== undefined)!;
    const port = /:(\d+)\?transport=udp$/.exec(turn.urls.find((url) => url.endsWith('udp'))!)![1]!;
    const relay = () =>
      run(
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

    assert.match(
      (await relay()).output,
      /error 403 \(Forbidden\)/,
      'loopback peers are refused by default',
    );
    await a.connect(b.url());
    const { code, output } = await relay();
    assert.equal(code, 0, output);
    assert.doesNotMatch(output, /403/);
    assert.match(output, /tot_send_msgs=10, tot_recv_msgs=10/);
  },
);
