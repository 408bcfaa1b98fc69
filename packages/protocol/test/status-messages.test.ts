import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNodeStatus, type NodeStatus } from '../src/status-messages.js';

const a = 'a'.repeat(64);
const b = 'b'.repeat(64);

const status: NodeStatus = {
  node: { id: a, version: '0.1.0', url: 'http://127.0.0.1:8000' },
  uptimeSeconds: 12,
  price: 2000,
  load: { cpu: 0.1, mem: 0.02, smoothed: 0.05 },
  rooms: { rooms: 1, members: 2 },
  dht: { bootstrap: 'none', bootstrapped: false, routingTableSize: 0 },
  turn: { mode: 'built-in', allocations: 0 },
  links: [{ id: b, url: 'https://node-b.example' }],
  dialects: [
    {
      name: 'tracker',
      title: 'WebTorrent tracker',
      urls: ['ws://127.0.0.1:8000/announce'],
      connections: 3,
    },
  ],
};

test('a node status round-trips through JSON and the parser', () => {
  assert.deepEqual(parseNodeStatus(JSON.parse(JSON.stringify(status))), {
    ok: true,
    value: status,
  });
});

test('a malformed section fails the whole status with BAD_REQUEST', () => {
  const broken: unknown[] = [
    null,
    [],
    { ...status, node: { ...status.node, id: 'not-hex' } },
    { ...status, node: { ...status.node, url: 'javascript:alert(1)' } },
    { ...status, uptimeSeconds: -1 },
    { ...status, price: 1.5 },
    { ...status, load: { ...status.load, cpu: 2 } },
    { ...status, rooms: { rooms: 1 } },
    { ...status, dht: { ...status.dht, bootstrapped: 'yes' } },
    { ...status, turn: { mode: 'coturn', allocations: 0 } },
    { ...status, links: 'none' },
  ];
  for (const value of broken) {
    const result = parseNodeStatus(value);
    assert.equal(result.ok, false, JSON.stringify(value));
    if (!result.ok) assert.equal(result.code, 'BAD_REQUEST');
  }
});

test('malformed links are dropped, the rest of the status kept', () => {
  const result = parseNodeStatus({
    ...status,
    links: [
      { id: b, url: 'https://node-b.example' },
      { id: b, url: 'data:text/html,<script>' },
      { id: 'B'.repeat(64), url: 'https://upper.example' },
      'c',
      { id: 'c'.repeat(64), url: 'http://[::1]:9000' },
    ],
  });
  assert.ok(result.ok);
  assert.deepEqual(result.value.links, [
    { id: b, url: 'https://node-b.example' },
    { id: 'c'.repeat(64), url: 'http://[::1]:9000' },
  ]);
});

test('dialects: absent (an older node) reads as none; malformed entries are dropped', () => {
  const fromOlder = parseNodeStatus(JSON.parse(JSON.stringify({ ...status, dialects: undefined })));
  assert.ok(fromOlder.ok);
  assert.deepEqual(fromOlder.value.dialects, []);
  const result = parseNodeStatus({
    ...status,
    dialects: [
      status.dialects[0],
      { name: 'x', title: 'x', urls: ['https://not-a-websocket.example'], connections: 0 },
      { name: 'x', title: 'x', urls: ['ws://a.example/'], connections: -1 },
      { name: '', title: 'x', urls: [], connections: 0 },
      { name: 'x'.repeat(81), title: 'x', urls: [], connections: 0 },
      'tracker',
    ],
  });
  assert.ok(result.ok);
  assert.deepEqual(result.value.dialects, [status.dialects[0]]);
});
