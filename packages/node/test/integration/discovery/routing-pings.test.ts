/**
 * A new contact that finds its routing-table bucket full makes the node ping that bucket's oldest
 * contacts, one after another while they answer: 3 of them (k-bucket's default), not k-rpc's 16
 * (its query concurrency, which it also used for this). Measured on 1,000 loopback nodes, those
 * pings were 69 % of the queries a room rendezvous set off (docs/scaling.md).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import { defaultDiscoveryLimits } from '../../../src/discovery/discovery-limits.js';
import { openDht, PINGS_PER_FULL_BUCKET } from '../../../src/discovery/dht-socket.js';
import { createDhtTraffic } from '../../../src/discovery/dht-traffic.js';

/** The transaction id of a KRPC query (`1:t<n>:<bytes>`), as latin1. */
function transactionId(datagram: Buffer): string | undefined {
  const text = datagram.toString('latin1');
  const match = /1:t(\d+):/.exec(text);
  if (match === null) return undefined;
  const start = match.index + match[0].length;
  return text.slice(start, start + Number(match[1]));
}

/** A DHT contact at its own UDP socket that answers every ping with its id; counts them. */
async function liveContact(pinged: string[]): Promise<{ id: Buffer; port: number; close(): void }> {
  const id = randomBytes(20);
  const socket = createSocket('udp4');
  socket.on('message', (datagram, from) => {
    const tid = transactionId(datagram);
    if (tid === undefined || !datagram.includes('4:ping')) return;
    pinged.push(tid);
    // A KRPC answer must carry the id the node expects of this contact.
    const answer = `d1:rd2:id20:${id.toString('latin1')}e1:t${tid.length}:${tid}1:y1:re`;
    socket.send(Buffer.from(answer, 'latin1'), from.port, from.address);
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return { id, port: socket.address().port, close: () => socket.close() };
}

test('a full bucket costs 3 pings of its oldest contacts, not 16', async (t) => {
  const traffic = createDhtTraffic();
  const dht = await openDht({
    bootstrap: 'none',
    limits: defaultDiscoveryLimits,
    port: 0,
    host: '127.0.0.1',
    traffic,
  });
  const pinged: string[] = [];
  const contacts = await Promise.all(Array.from({ length: 21 }, () => liveContact(pinged)));
  t.after(() => {
    dht.destroy();
    for (const contact of contacts) contact.close();
  });
  assert.equal(PINGS_PER_FULL_BUCKET, 3);
  // 21 live contacts in the half of the id space away from the node's own id: the 21st finds
  // the bucket (20 contacts) full and cannot split it. Each contact answers, so the node pings
  // the next oldest until it has asked as many as the table says.
  for (const contact of contacts) {
    contact.id[0] = dht.nodeId[0]! ^ 0x80;
    dht.addNode({ id: contact.id, host: '127.0.0.1', port: contact.port });
  }
  const deadline = Date.now() + 5_000;
  while (pinged.length < PINGS_PER_FULL_BUCKET && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
  // Answered pings go on to the next contact at once: give more a chance to come.
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(pinged.length, PINGS_PER_FULL_BUCKET, `pings: ${pinged.length}`);
  assert.equal(traffic.queriesSent.ping, PINGS_PER_FULL_BUCKET);
  assert.equal(dht.nodes.count(), 20, 'every contact answered: none was replaced');
});
