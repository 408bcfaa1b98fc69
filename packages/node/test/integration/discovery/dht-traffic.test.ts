import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import { countingDhtSocket, createDhtTraffic } from '../../../src/discovery/dht-traffic.js';

test('the DHT socket counts each datagram it sends and each it receives, and the queries by method', async (t) => {
  const traffic = createDhtTraffic();
  const counted = countingDhtSocket(traffic);
  const other = createSocket('udp4');
  t.after(() => {
    counted.close();
    other.close();
  });
  counted.bind(0, '127.0.0.1');
  other.bind(0, '127.0.0.1');
  await Promise.all([once(counted, 'listening'), once(other, 'listening')]);
  const echoed = new Promise<void>((resolve) => {
    let seen = 0;
    counted.on('message', () => ++seen === 2 && resolve());
  });
  other.on('message', (message, from) => other.send(message, from.port, from.address));
  // A KRPC ping query (bencoded, keys sorted) and a datagram that is not KRPC, each echoed back.
  const ping = Buffer.from('d1:ad2:id20:aaaaaaaaaaaaaaaaaaaae1:q4:ping1:t2:xy1:y1:qe');
  for (const datagram of [ping, Buffer.from('not krpc')])
    counted.send(datagram, other.address().port, '127.0.0.1');
  await echoed;
  assert.equal(traffic.sent, 2);
  assert.equal(traffic.received, 2);
  const only = (method: string): Record<string, number> => ({
    ping: 0,
    find_node: 0,
    get_peers: 0,
    announce_peer: 0,
    get: 0,
    put: 0,
    other: 0,
    [method]: 1,
  });
  assert.deepEqual({ ...traffic.queriesSent }, only('ping'));
  assert.deepEqual(
    { ...traffic.queriesReceived },
    only('ping'),
    'the echo of the ping is a query too',
  );
});
