import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import { deriveRoomHash, parseNodeStatus, type NodeStatus } from '@sigmesh/protocol';
import { StunMethod } from '../../src/turn/stun-message.js';
import { fetchToken } from '../helpers/fetch-token.js';
import { parsePrometheusText, sampleValue, type MetricFamily } from '../helpers/prometheus-text.js';
import { joinRoom } from '../helpers/room-client.js';
import { startTestNode } from '../helpers/test-node.js';
import { startTestnet } from '../helpers/test-testnet.js';
import { waitFor } from '../helpers/wait-for.js';
import { request as stunRequest } from '../turn/turn-test-client.js';

const room = deriveRoomHash('metrics-test', 'lobby');

async function scrape(baseUrl: string): Promise<Map<string, MetricFamily>> {
  const response = await fetch(`${baseUrl}/metrics`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  return parsePrometheusText(await response.text());
}

async function status(baseUrl: string): Promise<NodeStatus> {
  const response = await fetch(`${baseUrl}/status`, { headers: { origin: 'http://elsewhere' } });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('access-control-allow-origin'), '*', 'any page may poll it');
  const parsed = parseNodeStatus(await response.json());
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
  return parsed.value;
}

test('/metrics follows room and mesh activity on a 3-node testnet; /status lists the links', async (t) => {
  const net = await startTestnet(t, { nodes: 3 });
  const [n1, n2] = net.nodes;
  const alice = await joinRoom(n1!.url(), room);
  const carol = await joinRoom(n1!.url(), room);
  const bob = await joinRoom(n2!.url(), room);
  t.after(() => [alice, bob, carol].forEach((m) => m.close()));
  await waitFor(() => alice.joins().includes(bob.peerId), 'bob’s join to reach alice');

  const before = await scrape(n1!.url());
  const types = new Map([...before.values()].map((family) => [family.name, family.type]));
  for (const [name, type] of types) {
    if (!name.startsWith('sigmesh_')) continue;
    assert.equal(type === 'counter', name.endsWith('_total'), `${name} is a ${type}`);
  }
  assert.deepEqual(
    Object.fromEntries(
      [
        'sigmesh_rooms',
        'sigmesh_members',
        'sigmesh_mesh_links',
        'sigmesh_pow_price_hashes',
        'sigmesh_messages_total',
        'sigmesh_mesh_frames_sent_total',
        'sigmesh_mesh_frames_received_total',
        'sigmesh_turn_allocations',
        'sigmesh_turn_relayed_bytes_total',
        'sigmesh_dht_routing_table_nodes',
        'sigmesh_load_ratio',
        'process_cpu_user_seconds_total',
        'nodejs_heap_size_used_bytes',
      ].map((name) => [name, types.get(name)]),
    ),
    {
      sigmesh_rooms: 'gauge',
      sigmesh_members: 'gauge',
      sigmesh_mesh_links: 'gauge',
      sigmesh_pow_price_hashes: 'gauge',
      sigmesh_messages_total: 'counter',
      sigmesh_mesh_frames_sent_total: 'counter',
      sigmesh_mesh_frames_received_total: 'counter',
      sigmesh_turn_allocations: 'gauge',
      sigmesh_turn_relayed_bytes_total: 'counter',
      sigmesh_dht_routing_table_nodes: 'gauge',
      sigmesh_load_ratio: 'gauge',
      process_cpu_user_seconds_total: 'counter',
      nodejs_heap_size_used_bytes: 'gauge',
    },
  );
  assert.equal(sampleValue(before, 'sigmesh_node_info', { id: n1!.id() }), 1);
  assert.equal(sampleValue(before, 'sigmesh_rooms'), 1);
  assert.equal(sampleValue(before, 'sigmesh_members'), 2, 'alice and carol are on node 1');
  assert.ok(sampleValue(before, 'sigmesh_mesh_links') >= 1);
  assert.equal(sampleValue(before, 'sigmesh_pow_price_hashes'), 16, 'the test nodes’ base price');
  assert.ok(sampleValue(before, 'sigmesh_dht_routing_table_nodes') > 0);
  assert.equal(sampleValue(before, 'sigmesh_messages_total'), 0);
  const sentBefore = sampleValue(before, 'sigmesh_mesh_frames_sent_total');
  const deliveredBefore = sampleValue(before, 'sigmesh_events_delivered_total');
  const n2Before = await scrape(n2!.url());

  await alice.post({ hello: 'everyone' });
  await bob.next('message');
  await carol.next('message');

  const after = await scrape(n1!.url());
  assert.equal(sampleValue(after, 'sigmesh_messages_total'), 1);
  assert.equal(
    sampleValue(after, 'sigmesh_events_delivered_total') - deliveredBefore,
    1,
    'the message went to carol, locally',
  );
  assert.ok(sampleValue(after, 'sigmesh_mesh_frames_sent_total') > sentBefore);
  const atN2 = await scrape(n2!.url());
  const delta = (name: string): number => sampleValue(atN2, name) - sampleValue(n2Before, name);
  assert.ok(delta('sigmesh_mesh_frames_received_total') >= 1);
  assert.equal(sampleValue(atN2, 'sigmesh_messages_total'), 1, 'arrived over the mesh');
  assert.equal(delta('sigmesh_events_delivered_total'), 1, 'to bob');
  assert.equal(sampleValue(atN2, 'sigmesh_members'), 1);

  const s1 = await status(n1!.url());
  assert.equal(s1.node.id, n1!.id());
  assert.equal(s1.node.url, n1!.url());
  assert.deepEqual(s1.rooms, { rooms: 1, members: 2 });
  assert.equal(s1.turn.mode, 'built-in');
  assert.ok(
    s1.links.some((link) => link.id === n2!.id() && link.url === n2!.url()),
    `node 1 lists its link to node 2: ${JSON.stringify(s1.links)}`,
  );
  const s2 = await status(n2!.url());
  assert.ok(s2.links.some((link) => link.id === n1!.id() && link.url === n1!.url()));
  const wsBase = n1!.url().replace(/^http/, 'ws');
  assert.deepEqual(
    s1.dialects.map((dialect) => [dialect.name, dialect.urls, dialect.connections]),
    [
      ['tracker', [`${wsBase}/announce`, `${wsBase}/`], 0],
      ['nostr', [`${wsBase}/nostr`], 0],
      ['ws-relay', [`${wsBase}/ws-relay`], 0],
    ],
    'the URLs an unchanged app is given',
  );
});

test('TURN requests show in /metrics', async (t) => {
  const node = await startTestNode(t);
  const { iceServers } = await fetchToken(node.url());
  const stun = iceServers[0]?.urls.find((url) => url.startsWith('stun:')) ?? '';
  const port = Number(/:(\d+)$/.exec(stun)?.[1]);
  const requests = (): Promise<number> =>
    scrape(node.url()).then((m) => sampleValue(m, 'sigmesh_turn_requests_total'));
  assert.equal(await requests(), 0);
  const udp = createSocket('udp4');
  t.after(() => udp.close());
  udp.send(stunRequest(StunMethod.binding, []).bytes, port, '127.0.0.1');
  await once(udp, 'message', { signal: AbortSignal.timeout(2000) });
  assert.equal(await requests(), 1);
});

test('--no-metrics removes /metrics; / and /status stay', async (t) => {
  const node = await startTestNode(t, { metrics: false });
  const response = await fetch(`${node.url()}/metrics`);
  assert.equal(response.status, 404);
  assert.equal(((await response.json()) as { code: string }).code, 'NOT_FOUND');
  assert.equal((await fetch(`${node.url()}/status`)).status, 200);
});

test('the page at / is the live status page under a strict CSP; JSON stays the node info', async (t) => {
  const node = await startTestNode(t);
  const page = await fetch(`${node.url()}/`);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  const body = await page.text();
  assert.match(body, /<script src="\/status\.js" defer><\/script>/);
  assert.doesNotMatch(body, /<script>/, 'no inline script');
  assert.match(body, /<a href="\/app\/">Open the demo app<\/a>/);
  assert.match(body, new RegExp(`data-field="id">${node.id()}<`));
  assert.match(body, /data-field="dialects">tracker 0 connections · nostr 0 connections/);
  assert.match(body, new RegExp(`${node.url().replace(/^http/, 'ws')}/nostr`));
  const script = await fetch(`${node.url()}/status.js`);
  assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);
  assert.match(await script.text(), /fetch\(/);
  const json = (await (
    await fetch(`${node.url()}/`, { headers: { accept: 'application/json' } })
  ).json()) as { node: { id: string }; pow: { challenges: object } };
  assert.equal(json.node.id, node.id());
  assert.ok('room-join' in json.pow.challenges);
});
