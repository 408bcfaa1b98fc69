// Abuse control without proof-of-work: per-connection and per-address caps and rates, the node's
// load, each answered with a refusal the client can read (never a silent drop).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import type { LoadReading } from '../../../src/index.js';
import { startTestNode } from '../../helpers/test-node.js';
import { announce, id20, isFailure, isReply, TrackerSocket } from './tracker-socket.js';

test('announces over the per-connection rate are refused with TRACKER_RATE_LIMITED', async (t) => {
  const node = await startTestNode(t, { trackerAnnouncesPerSecond: 0.5 }); // burst 4
  const s = await TrackerSocket.open(t, `${node.url()}/announce`);
  const ih = id20('rate');
  for (let i = 0; i < 4; i++)
    await s.request(announce(ih, id20('A'), 0), isReply(ih), `announce ${i}`);
  const refusal = await s.request(
    announce(ih, id20('A'), 0),
    isFailure('TRACKER_RATE_LIMITED'),
    'refusal',
  );
  assert.equal(refusal.info_hash, ih);
});

test('offers over the per-connection rate are refused, the announce is not relayed', async (t) => {
  const node = await startTestNode(t, { trackerOffersPerSecond: 1 }); // burst 8
  const ih = id20('offers');
  const peers = await Promise.all(
    Array.from({ length: 9 }, () => TrackerSocket.open(t, `${node.url()}/announce`)),
  );
  for (const [i, peer] of peers.entries())
    await peer.request(announce(ih, id20(`P${i}`), 0), isReply(ih), 'join');
  const s = await TrackerSocket.open(t, `${node.url()}/announce`);
  await s.request(announce(ih, id20('O'), 8), isReply(ih), 'eight offers');
  await s.request(announce(ih, id20('O'), 3), isFailure('TRACKER_RATE_LIMITED'), 'refusal');
});

test('swarms per connection are capped', async (t) => {
  const node = await startTestNode(t, { trackerMaxSwarmsPerConnection: 2 });
  const s = await TrackerSocket.open(t, `${node.url()}/announce`);
  await s.request(announce(id20('s1'), id20('A'), 0), isReply(id20('s1')), 's1');
  await s.request(announce(id20('s2'), id20('A'), 0), isReply(id20('s2')), 's2');
  const refusal = await s.request(
    announce(id20('s3'), id20('A'), 0),
    isFailure('TRACKER_TOO_MANY_SWARMS'),
    'refusal',
  );
  assert.equal(refusal.info_hash, id20('s3'));
  // Leaving one makes room.
  await s.request(
    announce(id20('s1'), id20('A'), 0, { event: 'stopped' }),
    isReply(id20('s1')),
    'stop',
  );
  await s.request(announce(id20('s3'), id20('A'), 0), isReply(id20('s3')), 's3');
});

test('tracker connections per address are capped at the upgrade (429 TRACKER_TOO_MANY_CONNECTIONS)', async (t) => {
  const node = await startTestNode(t, { trackerMaxConnectionsPerAddress: 2 });
  await TrackerSocket.open(t, `${node.url()}/announce`);
  await TrackerSocket.open(t, `${node.url()}/announce`);
  const third = new WebSocket(`${node.url().replace('http', 'ws')}/announce`);
  const response = await new Promise<{ status: number; body: string }>((resolve) => {
    third.on('unexpected-response', (_request, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
  });
  assert.equal(response.status, 429);
  assert.equal(
    (JSON.parse(response.body) as { code: string }).code,
    'TRACKER_TOO_MANY_CONNECTIONS',
  );
});

test('a loaded node admits no new connections, swarm peers or offers; admitted peers keep announcing', async (t) => {
  let reading: LoadReading = { cpu: 0, mem: 0, smoothed: 0 };
  const node = await startTestNode(t, { load: { current: () => reading } });
  const ih = id20('load');
  const a = await TrackerSocket.open(t, `${node.url()}/announce`);
  await a.request(announce(ih, id20('A'), 0), isReply(ih), 'A joins while idle');
  reading = { cpu: 0.97, mem: 0, smoothed: 0.97 };
  const b = await TrackerSocket.open(t, `${node.url()}/announce`).catch(() => undefined);
  assert.equal(b, undefined, 'no new connection while overloaded');
  const refused = await a.request(
    announce(id20('other'), id20('A'), 0),
    isFailure('TRACKER_OVERLOADED'),
    'no new swarm',
  );
  assert.equal(refused.info_hash, id20('other'));
  await a.request(announce(ih, id20('A'), 2), isFailure('TRACKER_OVERLOADED'), 'no offers');
  // The peer already admitted still announces (no offers): it keeps its place.
  await a.request(announce(ih, id20('A'), 0), isReply(ih), 'a plain announce');
});
