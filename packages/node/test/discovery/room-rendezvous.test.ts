import assert from 'node:assert/strict';
import { test } from 'node:test';
import { roomKey } from '../../src/discovery/dht-keys.js';
import { defaultDiscoveryLimits } from '../../src/discovery/discovery-limits.js';
import { createRoomRendezvous, type RoomPeer } from '../../src/discovery/room-rendezvous.js';
import { createFakeDht, recordingLogger } from './fake-dht-client.js';

const HOUR = 3_600_000;
const ROOM = 'cd'.repeat(20);

function member(
  port: number,
  clock: { now: number },
  overrides: Partial<typeof defaultDiscoveryLimits> = {},
) {
  const found: RoomPeer[] = [];
  const rendezvous = createRoomRendezvous({
    now: () => clock.now,
    elapsed: () => clock.now,
    log: recordingLogger(),
    limits: {
      ...defaultDiscoveryLimits,
      roomEpochMs: HOUR,
      roomEpochLeadMs: 120_000,
      ...overrides,
    },
    announcePort: () => port,
    ignore: (address) => address.port === port,
    onPeer: (peer) => found.push(peer),
  });
  return { rendezvous, found };
}

test('two members find each other on the derived key, never the raw hash', async () => {
  const fake = createFakeDht();
  const clock = { now: 100 * HOUR + 1_000 };
  const a = member(8001, clock);
  const b = member(8002, clock);
  const clientA = fake.client();
  assert.equal(a.rendezvous.join(ROOM), 'joined');
  assert.equal(a.rendezvous.join(ROOM), 'already');
  b.rendezvous.join(ROOM);
  await a.rendezvous.refresh(clientA, true);
  await b.rendezvous.refresh(fake.client(), true);
  await a.rendezvous.refresh(clientA, true);
  assert.deepEqual(
    a.found.map((peer) => [peer.host, peer.port, peer.room]),
    [['127.0.0.1', 8002, ROOM]],
  );
  assert.deepEqual(
    b.found.map((peer) => peer.port),
    [8001],
  );
  assert.ok(!fake.peers.has(ROOM), 'the raw room hash is never announced');
  assert.deepEqual(clientA.announces, [
    roomKey(ROOM, 100).toString('hex'),
    roomKey(ROOM, 100).toString('hex'),
  ]);
});

test('epochs rotate with the clock: next epoch announced before the boundary, old one dropped after', async () => {
  const fake = createFakeDht();
  const clock = { now: 100 * HOUR + 30 * 60_000 };
  const a = member(8001, clock);
  const client = fake.client();
  a.rendezvous.join(ROOM);
  await a.rendezvous.refresh(client);
  assert.deepEqual(client.announces, [roomKey(ROOM, 100).toString('hex')]);

  // Nothing due a minute later: no re-announce yet (roomAnnounceMs is 5 min).
  client.announces.length = 0;
  clock.now += 60_000;
  await a.rendezvous.refresh(client);
  assert.deepEqual(client.announces, []);

  // One minute before the boundary the next epoch's key is announced too.
  clock.now = 101 * HOUR - 60_000;
  await a.rendezvous.refresh(client);
  assert.deepEqual(client.announces, [
    roomKey(ROOM, 100).toString('hex'),
    roomKey(ROOM, 101).toString('hex'),
  ]);

  // After the boundary only epoch 101 is announced; 100 is still looked up for a while.
  client.announces.length = 0;
  client.lookups.length = 0;
  clock.now = 101 * HOUR + 6 * 60_000;
  await a.rendezvous.refresh(client);
  assert.deepEqual(client.announces, [roomKey(ROOM, 101).toString('hex')]);
  assert.deepEqual(client.lookups, [roomKey(ROOM, 101).toString('hex')]);
});

test('a member who rotated early is still found by one who has not', async () => {
  const fake = createFakeDht();
  const early = { now: 101 * HOUR + 30_000 };
  const late = { now: 101 * HOUR - 30_000 };
  const a = member(8001, early);
  const b = member(8002, late);
  a.rendezvous.join(ROOM);
  b.rendezvous.join(ROOM);
  await a.rendezvous.refresh(fake.client(), true);
  await b.rendezvous.refresh(fake.client(), true);
  assert.deepEqual(
    b.found.map((peer) => peer.port),
    [8001],
  );
  await a.rendezvous.refresh(fake.client(), true);
  assert.deepEqual(
    a.found.map((peer) => peer.port),
    [8002],
  );
});

test('leaving stops announces and lookups; limits bound rooms and candidates', async () => {
  const fake = createFakeDht();
  const clock = { now: 5 * HOUR };
  const a = member(8001, clock, { maxRooms: 2, maxCandidatesPerLookup: 3 });
  const client = fake.client();
  assert.equal(a.rendezvous.join('01'.repeat(20)), 'joined');
  assert.equal(a.rendezvous.join('02'.repeat(20)), 'joined');
  assert.equal(a.rendezvous.join('03'.repeat(20)), 'limit');
  assert.equal(a.rendezvous.leave('02'.repeat(20)), true);
  assert.equal(a.rendezvous.leave('02'.repeat(20)), false);
  assert.deepEqual(a.rendezvous.rooms(), ['01'.repeat(20)]);

  // Ten nodes announce the room; only three candidates are kept.
  for (let port = 9000; port < 9010; port++)
    await fake.client().announce(roomKey('01'.repeat(20), 5), port);
  await a.rendezvous.refresh(client, true);
  assert.equal(a.found.length, 3);
  assert.equal(a.rendezvous.peers('01'.repeat(20)).length, 3);

  a.rendezvous.leave('01'.repeat(20));
  client.announces.length = 0;
  client.lookups.length = 0;
  clock.now += HOUR;
  await a.rendezvous.refresh(client, true);
  assert.deepEqual([client.announces, client.lookups], [[], []]);
});

test('peers not seen for roomPeerTtlMs are forgotten and reported again when they return', async () => {
  const fake = createFakeDht();
  const clock = { now: 7 * HOUR };
  const a = member(8001, clock, { roomPeerTtlMs: 60_000 });
  a.rendezvous.join(ROOM);
  await fake.client().announce(roomKey(ROOM, 7), 8002);
  await a.rendezvous.refresh(fake.client(), true);
  assert.equal(a.found.length, 1);
  fake.peers.clear();
  clock.now += 61_000;
  await a.rendezvous.refresh(fake.client(), true);
  assert.deepEqual(a.rendezvous.peers(ROOM), []);
  await fake.client().announce(roomKey(ROOM, 7), 8002);
  await a.rendezvous.refresh(fake.client(), true);
  assert.equal(a.found.length, 2);
});

test('a lookup-only refresh (a follow-up) looks up now and announces only what did not go out', async () => {
  const fake = createFakeDht();
  const clock = { now: 100 * HOUR + 1_000 };
  const a = member(8001, clock);
  const client = fake.client();
  a.rendezvous.join(ROOM);
  // The join's announce fails (the DHT is down): the follow-up announces it.
  fake.down = true;
  await a.rendezvous.refreshRoom(client, ROOM);
  fake.down = false;
  assert.deepEqual(client.announces, []);
  clock.now += 1_000;
  await a.rendezvous.refreshRoom(client, ROOM, true);
  assert.deepEqual(client.announces, [roomKey(ROOM, 100).toString('hex')]);
  assert.ok(client.lookups.includes(roomKey(ROOM, 100).toString('hex')));
  const perLookup = client.lookups.length; // the epochs a lookup covers
  // Announced now: the next follow-ups only look up, however soon they come.
  for (let i = 0; i < 3; i++) {
    clock.now += 1_000;
    await a.rendezvous.refreshRoom(client, ROOM, true);
  }
  assert.equal(client.announces.length, 1);
  assert.equal(client.lookups.length, 4 * perLookup);
  // A full refresh (a join) announces again.
  await a.rendezvous.refreshRoom(client, ROOM);
  assert.equal(client.announces.length, 2);
  assert.equal(client.lookups.length, 5 * perLookup);
});

test('announces and lookups are counted by outcome, with the time they took', async () => {
  const fake = createFakeDht();
  // Mid-epoch: one epoch to announce and one to look up.
  const clock = { now: 100 * HOUR + HOUR / 2 };
  const a = member(8001, clock);
  const base = fake.client();
  // A DHT whose lookups take 70 ms (the rendezvous times them on its own clock).
  const slow = {
    ...base,
    async lookup(...args: Parameters<typeof base.lookup>) {
      const found = await base.lookup(...args);
      clock.now += 70;
      return found;
    },
  };
  a.rendezvous.join(ROOM);
  assert.deepEqual(a.rendezvous.operations(), {
    announce: { ok: 0, failed: 0, seconds: 0 },
    lookup: { ok: 0, failed: 0, seconds: 0 },
  });
  fake.down = true;
  await a.rendezvous.refreshRoom(base, ROOM);
  assert.deepEqual(a.rendezvous.operations(), {
    announce: { ok: 0, failed: 1, seconds: 0 },
    lookup: { ok: 0, failed: 1, seconds: 0 },
  });
  fake.down = false;
  await a.rendezvous.refreshRoom(base, ROOM);
  clock.now += 1_000;
  // A follow-up: the announce went out, so it only looks up, slowly.
  await a.rendezvous.refreshRoom(slow, ROOM, true);
  const { announce, lookup } = a.rendezvous.operations();
  assert.deepEqual(announce, { ok: 1, failed: 1, seconds: 0 });
  assert.equal(lookup.ok, 2);
  assert.equal(lookup.failed, 1);
  assert.ok(Math.abs(lookup.seconds - 0.07) < 1e-9, `${lookup.seconds} s`);
  assert.deepEqual(base.announces.length, 1);
  assert.deepEqual(base.lookups.length, 2);
});
