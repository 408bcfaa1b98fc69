/** `POST /token`, `sigmesh token` and the TURN options of a node, over loopback HTTP. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { parseErrorBody, parseTokenResult } from '@sigmesh/protocol';
import { runCli } from '../../src/cli/run-cli.js';
import { fetchNodeInfo, payOffer, quotedOffer } from '../../src/cli/node-api-client.js';
import { readConfigSources, resolveNodeConfig } from '../../src/config/resolve-config.js';
import { captureIo } from '../helpers/capture-io.js';
import { startTestNode } from '../helpers/test-node.js';

test('sigmesh token prints ICE servers with REST credentials for the node TURN server', async (t) => {
  const node = await startTestNode(t, { turnSecret: 'known-secret' });
  const cli = captureIo();
  assert.equal(await runCli(['token', node.url()], cli.io), 0, cli.err.join('\n'));
  const printed = JSON.parse(cli.out[0] ?? '') as {
    iceServers: { urls: string[]; username?: string; credential?: string }[];
    ttl: number;
  };
  assert.equal(printed.ttl, 3600);
  const turn = printed.iceServers.find((s) => s.username !== undefined);
  assert.ok(turn?.username !== undefined);
  assert.match(turn.username, /^\d+:[0-9a-f]+$/);
  assert.equal(
    turn.credential,
    createHmac('sha1', 'known-secret').update(turn.username).digest('base64'),
  );
  assert.deepEqual(
    turn.urls.map((u) => u.replace(/:\d+\?/, ':PORT?')),
    ['turn:127.0.0.1:PORT?transport=udp', 'turn:127.0.0.1:PORT?transport=tcp'],
  );
});

test('POST /token needs proof-of-work for scope token, and answers with the next challenge', async (t) => {
  const node = await startTestNode(t);
  const unpaid = await fetch(`${node.url()}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: '{}',
  });
  assert.equal(unpaid.status, 401);
  assert.equal(parseErrorBody(await unpaid.json())?.code, 'POW_REQUIRED');
  const info = await fetchNodeInfo(node.url());
  const wrongScope = await payOffer(quotedOffer(info, 'room-post'), new TextEncoder().encode('{}'));
  const refused = await fetch(`${node.url()}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `PoW ${wrongScope}` },
    body: '{}',
  });
  assert.equal(parseErrorBody(await refused.json())?.code, 'POW_WRONG_SCOPE');
  const paid = await payOffer(quotedOffer(info, 'token'), new TextEncoder().encode('{}'));
  const ok = await fetch(`${node.url()}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `PoW ${paid}` },
    body: '{}',
  });
  assert.equal(ok.status, 200);
  const result = parseTokenResult(await ok.json());
  assert.ok(result.ok);
  assert.equal(result.value.next.scope, 'token');
});

test('with the built-in TURN off and no external one, /token answers TURN_UNAVAILABLE', async (t) => {
  const node = await startTestNode(t, { turnPort: -1 });
  const cli = captureIo();
  assert.equal(await runCli(['token', node.url()], cli.io), 1);
  assert.match(cli.err.join('\n'), /TURN_UNAVAILABLE|no TURN server/);
});

test('TURN options: repeatable --turn-allow-peer, and every problem reported at once', () => {
  const sources = readConfigSources(
    [
      '--turn-allow-peer',
      '127.0.0.0/8',
      '--turn-allow-peer',
      '10.0.0.0/8,192.168.0.0/16',
      '--turn-port',
      '0',
    ],
    {},
  );
  assert.deepEqual(sources.problems, []);
  assert.deepEqual(sources.options.turnAllowPeer, ['127.0.0.0/8', '10.0.0.0/8', '192.168.0.0/16']);
  assert.throws(
    () =>
      resolveNodeConfig({
        turnAllowPeer: ['10.0.0.0/99'],
        turnExternal: 'nohostport',
        turnRelayIp: 'relay.example',
      }),
    (error: unknown) =>
      error instanceof Error &&
      /--turn-allow-peer: not a CIDR: 10\.0\.0\.0\/99/.test(error.message) &&
      /--turn-external must be HOST:PORT/.test(error.message) &&
      /--turn-external needs --turn-secret/.test(error.message) &&
      /--turn-relay-ip must be an IP address/.test(error.message),
  );
});
