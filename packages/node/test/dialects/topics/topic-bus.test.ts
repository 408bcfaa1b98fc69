import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as turn } from 'node:timers/promises';
import { pino } from 'pino';
import type { PeerId, TopicBusMessage } from '@sigmesh/protocol';
import type { BusDelivery } from '../../../src/dialects/topics/bus-delivery.js';
import {
  TopicBus,
  topicRoom,
  type TopicSubscriber,
} from '../../../src/dialects/topics/topic-bus.js';
import type { RoomMessage } from '../../../src/rooms/room-observer.js';
import { RoomRegistry } from '../../../src/rooms/room-registry.js';

class Client implements TopicSubscriber {
  readonly got: TopicBusMessage[] = [];
  constructor(readonly clientKey = '198.51.100.1') {}
  deliver(delivery: BusDelivery): void {
    this.got.push(delivery.message);
  }
}

function setup(limits: Partial<{ maxStreamsPerAddress: number }> = {}) {
  let clock = 1_000_000;
  const rooms = new RoomRegistry({
    limits: {
      maxRooms: 100,
      maxMembersPerRoom: 100,
      maxStreamsPerAddress: limits.maxStreamsPerAddress ?? 100,
      memberQueueBytes: 1 << 20,
      heartbeatMs: 60_000,
      presenceBacklog: 64,
      presenceBatchMembers: 256,
      presenceIntervalMs: 0,
    },
    log: pino({ level: 'silent' }),
    now: () => clock,
  });
  const published: RoomMessage[] = [];
  rooms.observe({ published: (message) => published.push(message) });
  const bus = new TopicBus({
    rooms,
    log: pino({ level: 'silent' }),
    now: () => clock,
    dedupeSize: 1000,
  });
  return { rooms, bus, published, tick: (ms: number) => (clock += ms) };
}

const msg = (bus: TopicBus, topic: string, payload: string): TopicBusMessage => ({
  id: bus.newId(),
  topic,
  payload,
});
const remote = (n: number): PeerId => n.toString(16).padStart(32, 'f') as PeerId;

test('local delivery by topic, the publisher included; a duplicate id is delivered once', () => {
  const { bus } = setup();
  const [a, b, c] = [new Client(), new Client(), new Client()];
  bus.subscribe(a, 't');
  bus.subscribe(b, 't');
  bus.subscribe(c, 'other');
  const message = msg(bus, 't', 'hello');
  assert.equal(bus.publish(a, message)?.delivered, 2);
  assert.equal(bus.publish(b, message), undefined, 'same bus id: a duplicate');
  assert.deepEqual([a.got.length, b.got.length, c.got.length], [1, 1, 0]);
  bus.setWildcard(c, true);
  bus.publish(b, msg(bus, 't', 'again'));
  assert.equal(c.got.length, 1, 'a wildcard subscriber gets every topic');
});

test('a topic becomes a room when a connection subscribes to it and publishes on it, not before', async () => {
  const { rooms, bus, published } = setup();
  const page = new Client();
  bus.subscribe(page, 'root');
  bus.subscribe(page, 'self');
  assert.deepEqual(rooms.localRooms(), [], 'subscribing alone announces nothing');
  bus.publish(page, msg(bus, 'root', '{"peerId":"p"}'));
  assert.deepEqual(rooms.localRooms(), [topicRoom('root')]);
  assert.equal(published.length, 0, 'the first message waits for the roster delta');
  await turn();
  await turn();
  assert.equal(published.length, 1);
  assert.equal(published[0]!.room, topicRoom('root'));
  assert.equal(bus.stats().rootMembers, 1);
  // Another peer's self topic, never subscribed: routed through this connection's root topic.
  bus.publish(page, msg(bus, 'someone-elses-self', 'offer'));
  assert.equal(published.length, 2);
  assert.equal(published[1]!.room, topicRoom('root'));
  assert.equal((published[1]!.data as TopicBusMessage).topic, 'someone-elses-self');
  assert.notEqual(published[1]!.id, published[0]!.id);
  bus.unsubscribe(page, 'root');
  assert.deepEqual(rooms.localRooms(), [], 'leaving the root topic leaves its room');
  bus.drop(page);
  assert.equal(bus.stats().topics, 0);
});

test('a publisher without root topics reaches local subscribers only', () => {
  const { rooms, bus, published } = setup();
  const listener = new Client();
  bus.subscribe(listener, 'self');
  const outcome = bus.publish(new Client(), msg(bus, 'self', 'x'));
  assert.deepEqual(outcome, { delivered: 1, federated: false });
  assert.equal(published.length, 0);
  assert.deepEqual(rooms.localRooms(), []);
});

test('a room the registry refuses leaves the topic local, and says why', () => {
  const { bus } = setup({ maxStreamsPerAddress: 1 });
  const page = new Client();
  bus.subscribe(page, 'r1');
  bus.subscribe(page, 'r2');
  assert.equal(bus.publish(page, msg(bus, 'r1', 'a'))?.federated, true);
  const refused = bus.publish(page, msg(bus, 'r2', 'b'));
  assert.equal(refused?.notFederated?.code, 'ROOM_TOO_MANY_STREAMS');
  // It still went out through the root topic it does hold (as a self topic would).
  assert.equal(refused?.federated, true);
});

test('messages from other nodes reach subscribers of their topic once; malformed ones nobody', async () => {
  const { rooms, bus } = setup();
  const page = new Client();
  const second = new Client();
  bus.subscribe(page, 'root');
  bus.subscribe(page, 'self-a');
  bus.subscribe(second, 'root');
  bus.publish(page, msg(bus, 'root', 'announce'));
  bus.publish(second, msg(bus, 'root', 'announce 2'));
  await turn();
  const room = topicRoom('root');
  rooms.remoteChanged(room, [remote(1)], []);
  const from = { room, from: remote(1) };
  const offer = msg(bus, 'self-a', 'offer from afar');
  // The registry hands it to both local members of the room: delivered once.
  rooms.deliver({ ...from, id: 'a'.repeat(32), data: offer });
  rooms.deliver({ ...from, id: 'b'.repeat(32), data: offer });
  rooms.deliver({ ...from, id: 'c'.repeat(32), data: { id: 'nonsense', topic: 'self-a' } });
  assert.deepEqual(
    page.got.filter((m) => m.topic === 'self-a').map((m) => ('payload' in m ? m.payload : '')),
    ['offer from afar'],
  );
  assert.equal(second.got.filter((m) => m.topic === 'self-a').length, 0);
  assert.ok(bus.stats().meshRefused > 0, 'the malformed one was counted');
});

test('a remote peer appearing gets the last announce twice, 2 s apart, only if recent', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { rooms, bus, published, tick } = setup();
  const page = new Client();
  bus.subscribe(page, 'root');
  bus.publish(page, msg(bus, 'root', '{"peerId":"p"}'));
  await turn();
  await turn();
  const room = topicRoom('root');
  const count = (): number =>
    published.filter((m) => (m.data as { payload?: string }).payload === '{"peerId":"p"}').length;
  const later = async (ms: number): Promise<void> => {
    tick(ms);
    t.mock.timers.tick(ms);
    await turn();
  };
  assert.equal(count(), 1);
  rooms.remoteChanged(room, [remote(1)], []);
  await turn();
  assert.equal(count(), 2, 'replayed to the node that just appeared');
  rooms.remoteChanged(room, [remote(2)], []);
  await turn();
  assert.equal(count(), 2, 'not again within 2 s');
  await later(1_000);
  assert.equal(count(), 2);
  await later(1_100);
  assert.equal(count(), 3, 'the second copy, which also serves the later join');
  await later(2_100);
  assert.equal(count(), 4, 'the later join’s own second copy');
  await later(2_100);
  assert.equal(count(), 4, 'nothing more is owed');
  await later(100_000);
  rooms.remoteChanged(room, [remote(3)], []);
  await turn();
  await later(2_100);
  assert.equal(count(), 4, 'an announce older than 90 s is not replayed');
  assert.equal(bus.stats().replays, 3);
});
