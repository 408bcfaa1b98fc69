import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyMeshStats } from '../../src/mesh/mesh-stats.js';
import { createNodeMetrics, type MetricSources } from '../../src/metrics/node-metrics.js';
import { emptyTurnStats } from '../../src/turn/turn-context.js';
import { parsePrometheusText, sampleValue } from '../helpers/prometheus-text.js';

/** Sources whose numbers the test sets; only what the metrics read is filled in. */
function fakeSources(id: string) {
  const state = {
    rooms: { rooms: 0, members: 0, messages: 0, deliveries: 0, slowConsumersCut: 0 },
    mesh: emptyMeshStats(),
    turn: { ...emptyTurnStats(), allocations: 0 } as ReturnType<typeof emptyTurnStats> & {
      allocations: number;
    },
    turnOn: true,
    connections: { open: 0, refusedPerAddress: 0, refusedTotal: 0, acceptErrors: 0 },
  };
  const sources = {
    identity: { id },
    version: '9.9.9',
    startedAt: 1_700_000_000_000,
    rooms: { stats: () => ({ ...state.rooms }) },
    mesh: { stats: () => ({ ...state.mesh }) },
    pricing: { basePrice: () => ({ price: 2000, over: undefined }) },
    load: { current: () => ({ cpu: 0.25, mem: 0.5, smoothed: 0.375 }) },
    unpaid: { refused: 42 },
    refusedWork: { share: () => 0.125 },
    turn: {
      get server() {
        return state.turnOn ? { stats: () => ({ ...state.turn }) } : undefined;
      },
    },
    discovery: {
      status: () => ({
        bootstrapped: true,
        routingTableSize: 7,
        messagesSent: 310,
        messagesReceived: 290,
        queriesSent: { ping: 4, get_peers: 12, other: 0 },
        queriesReceived: { announce_peer: 3 },
        roomOperations: {
          announce: { ok: 6, failed: 1, seconds: 0.75 },
          lookup: { ok: 9, failed: 2, seconds: 1.5 },
        },
      }),
    },
    resources: {
      fdLimit: 1024,
      fdReserve: 192,
      maxConnections: 693,
      turnMaxAllocations: 69,
      turnMaxTcpConnections: 69,
    },
    connections: { stats: () => ({ ...state.connections }) },
    dialects: [
      {
        name: 'tracker',
        stats: () => ({ connections: 2, counters: { announces: 5, refused: 1 } }),
      },
    ],
  } as unknown as MetricSources;
  return { state, sources };
}

test('each node has its own registry; values are read from the node’s counters per scrape', async () => {
  const a = fakeSources('a'.repeat(64));
  const b = fakeSources('b'.repeat(64));
  // Two in one process, as in tests and testnets: no "already registered" error.
  const [ma, mb] = [createNodeMetrics(a.sources), createNodeMetrics(b.sources)];
  a.state.rooms = { rooms: 2, members: 5, messages: 11, deliveries: 40, slowConsumersCut: 1 };
  a.state.mesh = { ...a.state.mesh, links: 3, framesRelayed: 9, roomFramesReceived: 4 };
  a.state.turn = {
    ...a.state.turn,
    allocations: 2,
    bytesToPeer: 1500,
    bytesToClient: 700,
    peersRevoked: 3,
    tcpUnauthenticatedClosed: 4,
  };
  a.state.connections = { open: 17, refusedPerAddress: 5, refusedTotal: 6, acceptErrors: 1 };

  const scrapeA = parsePrometheusText(await ma.render());
  const expected: Array<[string, Record<string, string>, number]> = [
    ['sigmesh_node_info', { id: 'a'.repeat(64), version: '9.9.9' }, 1],
    ['sigmesh_start_time_seconds', {}, 1_700_000_000],
    ['sigmesh_rooms', {}, 2],
    ['sigmesh_members', {}, 5],
    ['sigmesh_messages_total', {}, 11],
    ['sigmesh_events_delivered_total', {}, 40],
    ['sigmesh_slow_consumers_cut_total', {}, 1],
    ['sigmesh_mesh_links', {}, 3],
    ['sigmesh_mesh_frames_sent_total', {}, 9],
    ['sigmesh_mesh_frames_received_total', {}, 4],
    ['sigmesh_pow_price_hashes', {}, 2000],
    ['sigmesh_dialect_connections', { dialect: 'tracker' }, 2],
    ['sigmesh_dialect_events_total', { dialect: 'tracker', event: 'announces' }, 5],
    ['sigmesh_load_ratio', { kind: 'mem' }, 0.5],
    ['sigmesh_load_ratio', { kind: 'refused' }, 0.125],
    ['sigmesh_unpaid_refused_total', {}, 42],
    ['sigmesh_dht_bootstrapped', {}, 1],
    ['sigmesh_dht_routing_table_nodes', {}, 7],
    ['sigmesh_dht_messages_sent_total', {}, 310],
    ['sigmesh_dht_messages_received_total', {}, 290],
    ['sigmesh_dht_queries_sent_total', { method: 'ping' }, 4],
    ['sigmesh_dht_queries_sent_total', { method: 'get_peers' }, 12],
    ['sigmesh_dht_queries_received_total', { method: 'announce_peer' }, 3],
    ['sigmesh_dht_room_announces_total', { outcome: 'ok' }, 6],
    ['sigmesh_dht_room_announces_total', { outcome: 'failed' }, 1],
    ['sigmesh_dht_room_lookups_total', { outcome: 'ok' }, 9],
    ['sigmesh_dht_room_lookups_total', { outcome: 'failed' }, 2],
    ['sigmesh_dht_room_operation_seconds_total', { operation: 'announce' }, 0.75],
    ['sigmesh_dht_room_operation_seconds_total', { operation: 'lookup' }, 1.5],
    ['sigmesh_turn_allocations', {}, 2],
    ['sigmesh_turn_relayed_bytes_total', { direction: 'to_peer' }, 1500],
    ['sigmesh_turn_relayed_bytes_total', { direction: 'to_client' }, 700],
    ['sigmesh_turn_rejected_total', { code: 'TURN_PEER_FORBIDDEN' }, 0],
    ['sigmesh_turn_peers_revoked_total', {}, 3],
    ['sigmesh_turn_tcp_unauthenticated_closed_total', {}, 4],
    ['sigmesh_http_connections', {}, 17],
    ['sigmesh_http_connections_refused_total', { reason: 'per_address' }, 5],
    ['sigmesh_http_connections_refused_total', { reason: 'total' }, 6],
    ['sigmesh_http_connections_refused_total', { reason: 'accept_error' }, 1],
    ['sigmesh_resource_limit', { resource: 'fd_limit' }, 1024],
    ['sigmesh_resource_limit', { resource: 'http_connections' }, 693],
    ['sigmesh_resource_limit', { resource: 'turn_allocations' }, 69],
  ];
  for (const [name, labels, value] of expected)
    assert.equal(sampleValue(scrapeA, name, labels), value, `${name} ${JSON.stringify(labels)}`);
  assert.equal(scrapeA.get('nodejs_heap_size_used_bytes')?.type, 'gauge', 'process metrics too');

  const scrapeB = parsePrometheusText(await mb.render());
  assert.equal(sampleValue(scrapeB, 'sigmesh_members'), 0, 'node b is not node a');
  assert.equal(sampleValue(scrapeB, 'sigmesh_node_info', { id: 'b'.repeat(64) }), 1);

  // Counters follow the node's totals from scrape to scrape (never accumulate twice).
  a.state.rooms = { ...a.state.rooms, messages: 12 };
  a.state.turnOn = false;
  const again = parsePrometheusText(await ma.render());
  assert.equal(sampleValue(again, 'sigmesh_messages_total'), 12);
  assert.equal(sampleValue(again, 'sigmesh_turn_allocations'), 0, 'no TURN server: zero');
  assert.equal(ma.contentType, 'text/plain; version=0.0.4; charset=utf-8');
});

test('the test parser is strict: every sample in a declared family, once, well formed', () => {
  const good = '# HELP x_total X.\n# TYPE x_total counter\nx_total{a="1",b="q\\"uote"} 3\n';
  assert.equal(sampleValue(parsePrometheusText(good), 'x_total', { b: 'q"uote' }), 3);
  for (const bad of [
    'x 1\n', // no TYPE
    '# TYPE x gauge\ny 1\n', // outside its family
    '# TYPE x gauge\n# TYPE x gauge\n', // declared twice
    '# TYPE x gauge\nx 1\nx 2\n', // duplicate series
    '# TYPE x gauge\nx{a=1} 1\n', // unquoted label
    '# TYPE x gauge\nx one\n', // not a number
    '# TYPE x meter\n', // unknown type
  ])
    assert.throws(() => parsePrometheusText(bad), /line \d+/, JSON.stringify(bad));
});
