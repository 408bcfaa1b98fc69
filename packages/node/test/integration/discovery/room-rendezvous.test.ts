import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { createDhtClient } from '../../../src/discovery/dht-client.js';
import { roomKey } from '../../../src/discovery/dht-keys.js';
import type { RoomPeer } from '../../../src/discovery/room-rendezvous.js';
import {
  bootstrapped,
  someOf,
  startLocalDht,
  startMember,
  testLimits,
} from './discovery-harness.js';

const ROOM = '5a'.repeat(20);
const HOUR = 3_600_000;

test('two nodes with members in a room find each other; a third without members does not', async (t) => {
  const dht = await startLocalDht(t, 15);
  const [a, b, c] = [
    await startMember(t, someOf(dht)),
    await startMember(t, someOf(dht)),
    await startMember(t, someOf(dht)),
  ];
  await Promise.all([a, b, c].map((member) => bootstrapped(member)));
  const heardByC: RoomPeer[] = [];
  c.discovery.on('room-peer', (peer) => heardByC.push(peer));

  const started = performance.now();
  assert.equal(a.discovery.joinRoom(ROOM), 'joined');
  await a.discovery.refresh();
  const bFindsA = once(b.discovery, 'room-peer', { signal: AbortSignal.timeout(5_000) });
  assert.equal(b.discovery.joinRoom(ROOM), 'joined');
  const [peerOfB] = (await bFindsA) as [RoomPeer];
  t.diagnostic(
    `rendezvous (second member's join to first found): ${(performance.now() - started).toFixed(0)} ms`,
  );
  assert.deepEqual([peerOfB.host, peerOfB.port, peerOfB.room], ['127.0.0.1', a.port, ROOM]);
  assert.equal(peerOfB.url, `http://127.0.0.1:${a.port}`);

  const aFindsB = once(a.discovery, 'room-peer', { signal: AbortSignal.timeout(5_000) });
  await a.discovery.refresh();
  const [peerOfA] = (await aFindsB) as [RoomPeer];
  assert.equal(peerOfA.port, b.port);
  assert.deepEqual(
    a.discovery.roomPeers(ROOM).map((peer) => peer.port),
    [b.port],
  );

  await c.discovery.refresh();
  assert.deepEqual(heardByC, []);
  assert.deepEqual(c.discovery.roomPeers(ROOM), []);

  // What the rendezvous asked of the real DHT, as status and metrics show it: a's announces and
  // lookups all answered (two epochs at most each time), and took time; c, in no room, made none.
  const { announce, lookup } = a.discovery.status().roomOperations;
  assert.equal(announce.failed + lookup.failed, 0);
  assert.ok(announce.ok >= 2 && lookup.ok >= 2, JSON.stringify({ announce, lookup }));
  assert.ok(announce.seconds > 0 && lookup.seconds > 0, JSON.stringify({ announce, lookup }));
  assert.deepEqual(c.discovery.status().roomOperations, {
    announce: { ok: 0, failed: 0, seconds: 0 },
    lookup: { ok: 0, failed: 0, seconds: 0 },
  });
});

test('epochs rotate with an injected clock; a left room is no longer announced', async (t) => {
  const dht = await startLocalDht(t, 12);
  const clock = { now: 500 * HOUR + 10 * 60_000 };
  const now = () => clock.now;
  const [a, b] = [
    await startMember(t, someOf(dht), { now }),
    await startMember(t, someOf(dht), { now }),
  ];
  await Promise.all([bootstrapped(a), bootstrapped(b)]);
  const observerNode = dht.nodes[0];
  assert.ok(observerNode);
  const observer = createDhtClient(observerNode, 5_000);
  const portsOn = async (epoch: number) =>
    (await observer.lookup(roomKey(ROOM, epoch), 10)).map((peer) => peer.port).sort();

  a.discovery.joinRoom(ROOM);
  b.discovery.joinRoom(ROOM);
  await a.discovery.refresh();
  await b.discovery.refresh();
  assert.deepEqual(await portsOn(500), [a.port, b.port].sort());
  assert.deepEqual(await portsOn(501), []);

  // One minute before the boundary both announce epoch 501 as well.
  clock.now = 501 * HOUR - 60_000;
  await a.discovery.refresh();
  await b.discovery.refresh();
  assert.deepEqual(await portsOn(501), [a.port, b.port].sort());

  // b leaves; two epochs later only a is announced.
  b.discovery.leaveRoom(ROOM);
  clock.now = 502 * HOUR + 10 * 60_000;
  await a.discovery.refresh();
  await b.discovery.refresh();
  assert.deepEqual(await portsOn(502), [a.port]);
  assert.equal(b.discovery.status().rooms, 0);
});

test('with allowPrivatePeers false, loopback addresses from the DHT are ignored', async (t) => {
  const dht = await startLocalDht(t, 8);
  const a = await startMember(t, someOf(dht));
  const strict = await startMember(t, someOf(dht), { allowPrivatePeers: false });
  await Promise.all([bootstrapped(a), bootstrapped(strict)]);
  a.discovery.joinRoom(ROOM);
  strict.discovery.joinRoom(ROOM);
  await a.discovery.refresh();
  await strict.discovery.refresh();
  await a.discovery.refresh();
  // a (default for a local bootstrap list: private allowed) sees strict; strict sees nobody.
  assert.deepEqual(
    a.discovery.roomPeers(ROOM).map((peer) => peer.port),
    [strict.port],
  );
  assert.deepEqual(strict.discovery.roomPeers(ROOM), []);
  assert.deepEqual(await strict.discovery.lookupNodes(), []);
});

test('rooms past maxRooms are not announced, and say so once a minute, not once per room', async (t) => {
  const dht = await startLocalDht(t, 8);
  const clock = { now: 500 * HOUR };
  const a = await startMember(t, someOf(dht), {
    now: () => clock.now,
    limits: { ...testLimits, maxRooms: 2 },
  });
  await bootstrapped(a);
  const rooms = Array.from({ length: 12 }, (_, i) => i.toString(16).padStart(2, '0').repeat(20));
  assert.deepEqual(
    rooms.map((room) => a.discovery.joinRoom(room)),
    ['joined', 'joined', ...Array<string>(10).fill('limit')],
  );
  // The soak found one warning per room past the limit (265 per node at start); now one a minute.
  assert.equal(a.log.warnings.length, 1);
  a.discovery.leaveRoom(rooms[11]!);
  assert.equal(a.discovery.joinRoom(rooms[11]!), 'limit');
  assert.equal(a.log.warnings.length, 1);
  clock.now += 60_000;
  assert.equal(a.discovery.joinRoom('ff'.repeat(20)), 'limit');
  assert.equal(a.log.warnings.length, 2);
  assert.match(a.log.warnings[1]!, /room limit reached/);
});
