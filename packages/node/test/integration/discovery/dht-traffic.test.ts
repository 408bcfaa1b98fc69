import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import { countingDhtSocket, type DhtTraffic } from '../../../src/discovery/dht-traffic.js';

test('the DHT socket counts each datagram it sends and each it receives', async (t) => {
  const traffic: DhtTraffic = { sent: 0, received: 0 };
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
  for (const text of ['ping-1', 'ping-2'])
    counted.send(Buffer.from(text), other.address().port, '127.0.0.1');
  await echoed;
  assert.deepEqual(traffic, { sent: 2, received: 2 });
});
