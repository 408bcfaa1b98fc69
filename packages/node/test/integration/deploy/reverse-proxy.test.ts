/**
 * The reverse-proxy recipes (deploy/nginx, deploy/caddy) in front of nodes, with Debian's nginx
 * and Caddy on loopback: the room behaviour suite through two proxied nodes whose only mesh link
 * runs through a proxy's /mesh, every dialect WebSocket path upgraded through the proxy, and the
 * client address taken from X-Forwarded-For with --trust-proxy (and never from the client's own
 * header). Skips, saying why, where nginx or Caddy is not installed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test, type TestContext } from 'node:test';
import type { NodeOptions, SigmeshNode } from '../../../src/index.js';
import { DialectSocket, dialectUrl, frame } from '../../helpers/dialect-socket.js';
import {
  CADDY,
  CADDYFILE,
  checkNginxSite,
  freePort,
  noCaddy,
  noNginx,
  startProxy,
  type ProxyKind,
} from '../../helpers/reverse-proxy.js';
import { roomBehaviourSuite } from '../../helpers/room-behaviour-suite.js';
import { startTestNode } from '../../helpers/test-node.js';
import { waitFor } from '../../helpers/wait-for.js';
import { announce, id20, isReply, TrackerSocket } from '../dialects/tracker-socket.js';

const skipOf: Record<ProxyKind, string | false> = { nginx: noNginx, caddy: noCaddy };

/** A node whose public URL is the proxy in front of it (as in production); resolves both. */
async function behindProxy(
  t: TestContext,
  kind: ProxyKind,
  options: NodeOptions = {},
): Promise<{ node: SigmeshNode; url: string }> {
  const url = `http://127.0.0.1:${await freePort()}`;
  const node = await startTestNode(t, { publicUrl: url, trustProxy: true, ...options });
  await startProxy(t, kind, Number(new URL(url).port), node.address().port);
  return { node, url };
}

/** GET /ip through `url` from the local address `from`, optionally claiming an X-Forwarded-For. */
async function ipSeen(url: string, from: string, claimed?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/ip`,
      {
        localAddress: from,
        headers: {
          accept: 'application/json',
          ...(claimed === undefined ? {} : { 'x-forwarded-for': claimed }),
        },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve((JSON.parse(body) as { ip: string }).ip));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

for (const kind of ['nginx', 'caddy'] as const) {
  const skip = skipOf[kind];
  if (skip !== false) {
    test(`behind ${kind}`, { skip }, () => undefined);
    continue;
  }

  // Node B knows node A only by A's proxied URL and there is no DHT: every room frame between them
  // crosses A's proxy at /mesh, and every member's stream and post crosses its node's proxy.
  // Caddy 2.6 (Debian 12) keeps the node's side of a room stream open after the member hung up
  // until a write fails, i.e. until the next heartbeat or two (docs/operations.md § Reverse proxy):
  // short heartbeats let 'leaving is seen by everyone' see it within its wait.
  const streams: NodeOptions = kind === 'caddy' ? { heartbeatMs: 1000 } : {};
  roomBehaviourSuite(`two nodes behind ${kind}, linked through it`, async (t) => {
    const a = await behindProxy(t, kind, streams);
    const b = await behindProxy(t, kind, { ...streams, meshPeers: [a.url] });
    await waitFor(
      () => a.node.meshStats().links === 1 && b.node.meshStats().links === 1,
      `the mesh link through ${kind}`,
    );
    return [a.url, b.url];
  });

  test(`behind ${kind}: every dialect WebSocket path upgrades through the proxy`, async (t) => {
    const { url } = await behindProxy(t, kind);
    const nostr = await DialectSocket.open(t, dialectUrl(url, '/nostr'));
    nostr.send(['REQ', 's1', { '#x': ['topic'] }]);
    await nostr.next(frame('EOSE', 's1'));

    const relay = await DialectSocket.open(t, dialectUrl(url, '/ws-relay'));
    relay.send({ type: 'subscribe', topic: 'proxied' });
    relay.send({ type: 'publish', topic: 'proxied', payload: 'through' });
    await relay.next((f) => JSON.stringify(f) === '{"topic":"proxied","payload":"through"}');

    const swarm = id20(`${kind} swarm`);
    for (const path of ['/announce', '/']) {
      const tracker = await TrackerSocket.open(t, `${url}${path}`);
      const reply = await tracker.request(announce(swarm, id20(path), 0), isReply(swarm), path);
      assert.equal(reply.action, 'announce');
    }
  });

  test(`behind ${kind}: with --trust-proxy the node sees the client's address, not the proxy's nor a claimed one`, async (t) => {
    const trusting = await behindProxy(t, kind);
    // The client connects from 127.0.0.2; the proxy reaches the node from 127.0.0.1.
    assert.equal(await ipSeen(trusting.url, '127.0.0.2'), '127.0.0.2');
    assert.equal(
      await ipSeen(trusting.url, '127.0.0.2', '203.0.113.7'),
      '127.0.0.2',
      'a client cannot choose its address by sending X-Forwarded-For itself',
    );
    const plain = await behindProxy(t, kind, { trustProxy: false });
    assert.equal(await ipSeen(plain.url, '127.0.0.2'), '127.0.0.1', 'without it: the proxy');
  });
}

test(
  'the full nginx site recipe (TLS server, redirect, include) passes nginx -t',
  { skip: noNginx },
  async (t) => {
    const output = await checkNginxSite(t);
    assert.match(output, /syntax is ok/);
    assert.match(output, /test is successful/);
    assert.doesNotMatch(output, /\[warn\]|\[emerg\]/, output);
  },
);

test(
  'the Caddyfile as shipped (a public name, automatic HTTPS) passes caddy validate',
  { skip: noCaddy },
  async (t) => {
    const home = mkdtempSync(join(tmpdir(), 'sigmesh-caddy-validate-'));
    t.after(() => rmSync(home, { recursive: true, force: true }));
    const env = { PATH: process.env.PATH, HOME: home, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home };
    const { stdout, stderr } = await promisify(execFile)(
      CADDY,
      ['validate', '--config', CADDYFILE, '--adapter', 'caddyfile'],
      { env },
    );
    assert.match(`${stdout}${stderr}`, /Valid configuration/);
    assert.doesNotMatch(stderr, /"level":"(warn|error)"/, stderr);
  },
);
