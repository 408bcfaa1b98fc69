import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { deriveRoomHash, type SigmeshError } from '@sigmesh/protocol';
import type { MemberSink } from '../../src/rooms/member.js';
import { RoomRegistry } from '../../src/rooms/room-registry.js';

class FakeSink implements MemberSink {
  chunks: string[] = [];
  writableLength = 0;
  destroyed = false;
  /** When true, written bytes stay queued (a reader that stopped reading). */
  stalled = false;
  write(chunk: Buffer): boolean {
    this.chunks.push(chunk.toString());
    if (this.stalled) this.writableLength += chunk.length;
    return true;
  }
  destroy(): void {
    this.destroyed = true;
  }
  events(name: string): unknown[] {
    return this.chunks
      .filter((c) => c.startsWith(`event: ${name}\n`))
      .map((c) => JSON.parse(c.split('\ndata: ')[1]!) as unknown);
  }
}

const limits = {
  maxRooms: 2,
  maxMembersPerRoom: 3,
  maxStreamsPerAddress: 5,
  memberQueueBytes: 1000,
  heartbeatMs: 1000,
};
const room = deriveRoomHash('unit', 'room');
const registry = () => new RoomRegistry({ limits, log: pino({ level: 'silent' }), now: () => 0 });

test('broadcast reaches every other member; addressed reaches one', () => {
  const rooms = registry();
  const [a, b, c] = [new FakeSink(), new FakeSink(), new FakeSink()];
  const ma = rooms.join(room, 'x', a);
  const mb = rooms.join(room, 'x', b);
  rooms.join(room, 'x', c);
  assert.equal(rooms.publish(room, ma.peerId, 'hi').delivered, 2);
  assert.equal(a.events('message').length, 0);
  assert.equal(rooms.publish(room, ma.peerId, 'psst', mb.peerId).delivered, 1);
  assert.equal(b.events('message').length, 2);
  assert.equal(c.events('message').length, 1);
});

test('a member whose queue would pass the limit is cut, once, and leaves on close', () => {
  const rooms = registry();
  const fast = new FakeSink();
  const slow = new FakeSink();
  const sender = rooms.join(room, 'x', new FakeSink());
  rooms.join(room, 'x', fast);
  const slowMember = rooms.join(room, 'x', slow);
  slow.stalled = true;
  for (let i = 0; i < 50; i++) rooms.publish(room, sender.peerId, 'x'.repeat(100));
  assert.ok(slow.destroyed);
  assert.ok(slow.writableLength <= limits.memberQueueBytes, 'never queued past the limit');
  assert.equal(fast.events('message').length, 50);
  assert.equal(rooms.stats().slowConsumersCut, 1);
  rooms.leave(slowMember); // what the stream's close handler does
  rooms.leave(slowMember); // idempotent
  assert.equal(rooms.stats().members, 2);
  assert.deepEqual(fast.events('leave'), [{ peerId: slowMember.peerId }]);
});

test('caps: members per room, rooms, streams per address', () => {
  const rooms = registry();
  for (let i = 0; i < 3; i++) rooms.join(room, `c${i}`, new FakeSink());
  assert.throws(
    () => rooms.join(room, 'c9', new FakeSink()),
    (e: SigmeshError) => e.code === 'ROOM_FULL',
  );
  rooms.join(deriveRoomHash('unit', 'second'), 'c9', new FakeSink());
  assert.throws(
    () => rooms.join(deriveRoomHash('unit', 'third'), 'c9', new FakeSink()),
    (e: SigmeshError) => e.code === 'ROOM_LIMIT_REACHED',
  );
  const crowded = new RoomRegistry({
    limits: { ...limits, maxStreamsPerAddress: 1 },
    log: pino({ level: 'silent' }),
    now: () => 0,
  });
  const first = crowded.join(room, 'same', new FakeSink());
  assert.throws(
    () => crowded.join(room, 'same', new FakeSink()),
    (e: SigmeshError) => e.code === 'ROOM_TOO_MANY_STREAMS',
  );
  crowded.leave(first);
  crowded.join(room, 'same', new FakeSink());
});

test('the last member leaving removes the room; sessions die with their member', () => {
  const rooms = registry();
  const member = rooms.join(room, 'x', new FakeSink());
  assert.equal(rooms.bySession(room, member.session), member);
  rooms.leave(member);
  assert.equal(rooms.bySession(room, member.session), undefined);
  assert.equal(rooms.stats().rooms, 0);
});

test('one event larger than the queue still reaches a member that has kept up (a big welcome)', () => {
  const rooms = registry();
  const sink = new FakeSink();
  const member = rooms.join(room, 'x', sink);
  assert.equal(rooms.send(member, Buffer.alloc(limits.memberQueueBytes * 3)), true);
  assert.equal(sink.destroyed, false);
  sink.stalled = true;
  sink.writableLength = 10;
  assert.equal(
    rooms.send(member, Buffer.alloc(limits.memberQueueBytes)),
    false,
    'but not once bytes are waiting',
  );
  assert.equal(sink.destroyed, true);
});
