import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as turn, setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { deriveRoomHash, inboxRoomHash, type PeerId, type SigmeshError } from '@sigmesh/protocol';
import type { StreamSink } from '../../src/rooms/member.js';
import { RoomRegistry } from '../../src/rooms/room-registry.js';

class FakeSink implements StreamSink {
  writes: string[] = [];
  writableLength = 0;
  destroyed = false;
  /** When true, written bytes stay queued (a reader that stopped reading). */
  stalled = false;
  write(chunk: Buffer): boolean {
    this.writes.push(chunk.toString());
    if (this.stalled) this.writableLength += chunk.length;
    return true;
  }
  destroy(): void {
    this.destroyed = true;
  }
  /** The data of every event of this name, across all writes. */
  events(name: string): unknown[] {
    return this.writes
      .join('')
      .split('\n\n')
      .filter((event) => event.startsWith(`event: ${name}\n`))
      .map((event) => JSON.parse(event.split('\ndata: ')[1]!) as unknown);
  }
}

const limits = {
  maxRooms: 2,
  maxMembersPerRoom: 3,
  maxStreamsPerAddress: 5,
  memberQueueBytes: 1000,
  heartbeatMs: 1000,
  presenceBacklog: 64,
  presenceBatchMembers: 256,
  presenceIntervalMs: 0,
};
const room = deriveRoomHash('unit', 'room');
const registry = (overrides: Partial<typeof limits> = {}) =>
  new RoomRegistry({
    limits: { ...limits, ...overrides },
    log: pino({ level: 'silent' }),
    now: () => 0,
  });
const sseChunkText = (data: unknown): string =>
  `event: presence\ndata: ${JSON.stringify(data)}\n\n`;
const peer = (n: number): PeerId => n.toString(16).padStart(32, '0') as PeerId;

test('broadcast reaches every other member; addressed reaches one', async () => {
  const rooms = registry();
  const [a, b, c] = [new FakeSink(), new FakeSink(), new FakeSink()];
  const ma = rooms.join(room, 'x', a);
  const mb = rooms.join(room, 'x', b);
  rooms.join(room, 'x', c);
  assert.equal(rooms.publish(room, ma.peerId, 'hi').delivered, 2);
  assert.equal(rooms.publish(room, ma.peerId, 'psst', mb.peerId).delivered, 1);
  await turn();
  assert.equal(a.events('message').length, 0);
  assert.equal(b.events('message').length, 2);
  assert.equal(c.events('message').length, 1);
});

test('everything queued for a member in one turn leaves in one write', async () => {
  const rooms = registry();
  const sender = rooms.join(room, 'x', new FakeSink());
  const reader = new FakeSink();
  rooms.join(room, 'x', reader);
  await turn();
  reader.writes = [];
  for (let i = 0; i < 20; i++) rooms.publish(room, sender.peerId, i);
  await turn();
  assert.equal(reader.writes.length, 1, 'one write for twenty messages');
  assert.deepEqual(
    reader.events('message').map((m) => (m as { data: number }).data),
    Array.from({ length: 20 }, (_, i) => i),
    'in order',
  );
});

test('a member whose queue would pass the limit is cut, once, and leaves on close', async () => {
  const rooms = registry();
  const fast = new FakeSink();
  const slow = new FakeSink();
  const sender = rooms.join(room, 'x', new FakeSink());
  rooms.join(room, 'x', fast);
  const slowMember = rooms.join(room, 'x', slow);
  await turn();
  slow.stalled = true;
  for (let i = 0; i < 50; i++) {
    rooms.publish(room, sender.peerId, 'x'.repeat(100));
    await turn();
  }
  assert.ok(slow.destroyed);
  assert.ok(slow.writableLength <= limits.memberQueueBytes, 'never queued past the limit');
  assert.equal(fast.events('message').length, 50);
  assert.equal(rooms.stats().slowConsumersCut, 1);
  rooms.leave(slowMember); // what the stream's close handler does
  rooms.leave(slowMember); // idempotent
  assert.equal(rooms.stats().members, 2);
  await turn();
  assert.deepEqual(fast.events('presence').at(-1), { join: [], leave: [slowMember.peerId] });
});

test('a burst of 1,100 remote joins is one presence event for a prompt reader, who is not cut', async () => {
  const rooms = registry({ memberQueueBytes: 64 * 1024, presenceBacklog: 4096 });
  const sink = new FakeSink();
  rooms.join(room, 'x', sink);
  await turn();
  const burst = Array.from({ length: 1100 }, (_, i) => peer(i + 1));
  rooms.remoteChanged(room, burst, []);
  await turn();
  assert.equal(sink.destroyed, false);
  assert.equal(rooms.stats().slowConsumersCut, 0);
  const events = sink.events('presence') as Array<{ join: PeerId[]; leave: PeerId[] }>;
  assert.equal(events.length, 1);
  assert.deepEqual(new Set(events[0]!.join), new Set(burst));
  // And all of them gone at once (a node holding them died): one event again.
  rooms.remoteChanged(room, [], burst);
  await turn();
  assert.equal(sink.events('presence').length, 2);
  assert.equal(sink.destroyed, false);
});

test('presence waits while a stream is full, then comes as the net change; too far behind, as the whole list', async () => {
  const rooms = registry({ presenceBacklog: 16 });
  const sink = new FakeSink();
  const member = rooms.join(room, 'x', sink);
  await turn();
  sink.stalled = true;
  sink.writableLength = 1; // the kernel has not taken everything: the reader is behind
  rooms.remoteChanged(room, [peer(1), peer(2)], []);
  rooms.remoteChanged(room, [], [peer(1)]); // came and went while we waited
  await turn();
  assert.equal(sink.events('presence').length, 0, 'nothing written while the stream is full');
  sink.stalled = false;
  sink.writableLength = 0;
  rooms.drained(member);
  await turn();
  assert.deepEqual(sink.events('presence'), [{ join: [peer(2)], leave: [] }], 'the net change');

  sink.writableLength = 1;
  const many = Array.from({ length: 40 }, (_, i) => peer(100 + i));
  rooms.remoteChanged(room, many, []);
  await turn();
  sink.writableLength = 0;
  rooms.drained(member);
  await turn();
  assert.deepEqual(
    new Set((sink.events('presence').at(-1) as { members: PeerId[] }).members),
    new Set([peer(2), ...many]),
    'past the backlog: the whole membership',
  );
});

test('a large room is told at most every presenceIntervalMs (the first change at once); a small one at once', async () => {
  const rooms = registry({
    maxMembersPerRoom: 10,
    presenceBatchMembers: 2,
    presenceIntervalMs: 150,
  });
  const sinks = [new FakeSink(), new FakeSink()];
  for (const sink of sinks) rooms.announceJoin(rooms.join(room, 'x', sink));
  await turn();
  rooms.remoteChanged(room, [peer(1)], []);
  await turn();
  assert.deepEqual(sinks[0]!.events('presence').at(-1), { join: [peer(1)], leave: [] });
  assert.equal(sinks[0]!.events('presence').length, 2, 'two members: told at once, each time');

  const third = new FakeSink();
  rooms.announceJoin(rooms.join(room, 'x', third)); // three members: a large room from now on
  await turn();
  const told = sinks[0]!.events('presence').length;
  assert.equal(told, 3, 'the first change after a quiet spell goes at once');
  rooms.remoteChanged(room, [peer(2)], []);
  await turn();
  rooms.remoteChanged(room, [peer(3)], [peer(1)]);
  await turn();
  assert.equal(sinks[0]!.events('presence').length, told, 'held back');
  await sleep(250);
  assert.deepEqual(
    sinks[0]!.events('presence').slice(told),
    [{ join: [peer(2), peer(3)], leave: [peer(1)] }],
    'then one event with the net change',
  );
  assert.deepEqual(third.events('presence').at(-1), { join: [peer(2), peer(3)], leave: [peer(1)] });
});

test('members told at the same moment share one encoded presence event', async () => {
  const rooms = registry({ maxMembersPerRoom: 10 });
  const written: Buffer[][] = [[], [], []];
  const sinks = written.map((writes) => {
    const sink = new FakeSink();
    const write = sink.write.bind(sink);
    sink.write = (chunk: Buffer) => (writes.push(chunk), write(chunk));
    return sink;
  });
  for (const sink of sinks) rooms.announceJoin(rooms.join(room, 'x', sink));
  await turn();
  for (const writes of written) writes.length = 0;
  rooms.remoteChanged(room, [peer(1), peer(2)], []);
  await turn();
  assert.equal(written[0]![0]!.toString(), sseChunkText({ join: [peer(1), peer(2)], leave: [] }));
  assert.ok(written.every((writes) => writes.length === 1 && writes[0] === written[0]![0]));
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
  const crowded = registry({ maxStreamsPerAddress: 1 });
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

test('one event larger than the queue still reaches a member that has kept up (a big welcome)', async () => {
  const rooms = registry();
  const sink = new FakeSink();
  const member = rooms.join(room, 'x', sink);
  assert.equal(rooms.send(member, Buffer.alloc(limits.memberQueueBytes * 3)), true);
  await turn();
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

test('a member served inside the node (a dialect connection) takes messages and presence as values', async () => {
  const rooms = registry();
  const got: { messages: unknown[]; presence: unknown[] } = { messages: [], presence: [] };
  const inside = rooms.join(room, 'x', {
    kind: 'events',
    message: (message) => got.messages.push(message.data),
    presence: (change) => got.presence.push(change),
  });
  rooms.announceJoin(inside);
  const sink = new FakeSink();
  const outside = rooms.join(room, 'x', sink);
  rooms.announceJoin(outside);
  await turn();
  assert.deepEqual(got.presence, [{ join: [outside.peerId], leave: [] }], 'not itself');
  rooms.publish(room, outside.peerId, 'to everyone');
  rooms.publish(room, outside.peerId, 'to the inside one', inside.peerId);
  const { id } = rooms.publish(room, inside.peerId, 'from inside', undefined, 'ab'.repeat(16));
  await turn();
  assert.deepEqual(got.messages, ['to everyone', 'to the inside one']);
  assert.equal(id, 'ab'.repeat(16), 'a dialect may name the message id');
  assert.deepEqual(
    sink.events('message').map((m) => (m as { data: unknown }).data),
    ['from inside'],
  );
});

test('a member gets the id its join asked for, unless a member here or on a linked node has it', () => {
  const rooms = registry();
  const wanted = 'ab'.repeat(16) as PeerId;
  const first = rooms.join(room, 'a', new FakeSink(), wanted);
  assert.equal(first.peerId, wanted);
  const again = rooms.join(room, 'b', new FakeSink(), wanted);
  assert.notEqual(again.peerId, wanted, 'a local member holds it');
  const remote = 'cd'.repeat(16) as PeerId;
  rooms.remoteChanged(room, [remote], []);
  assert.notEqual(rooms.join(room, 'c', new FakeSink(), remote).peerId, remote, 'a remote one');
});

test('an inbox: joined only with a role; guests get no presence and no broadcast, owners get all', async () => {
  const rooms = registry();
  const inbox = inboxRoomHash(new Uint8Array(32).fill(5));
  const events = { kind: 'events' as const, message: () => {}, presence: () => {} };
  assert.throws(
    () => rooms.join(inbox, 'dialect', events),
    (error: SigmeshError) => error.code === 'ROOM_HASH_RESERVED',
  );
  assert.throws(
    () => rooms.checkJoin(inbox, 'dialect'),
    (error: SigmeshError) => error.code === 'ROOM_HASH_RESERVED',
  );
  const [owner, guest, other] = [new FakeSink(), new FakeSink(), new FakeSink()];
  const mo = rooms.join(inbox, 'x', owner, undefined, 'owner');
  const mg = rooms.join(inbox, 'x', guest, undefined, 'guest');
  rooms.announceJoin(mo);
  rooms.announceJoin(mg);
  const mx = rooms.join(inbox, 'x', other, undefined, 'guest');
  rooms.announceJoin(mx);
  rooms.remoteChanged(inbox, [peer(9)], []);
  await turn();
  assert.equal(rooms.publish(inbox, mg.peerId, 'ring').delivered, 1, 'to the owner only');
  assert.equal(rooms.publish(inbox, mo.peerId, 'all').delivered, 0, 'no guest hears a broadcast');
  assert.equal(rooms.publish(inbox, mo.peerId, 'answer', mg.peerId).delivered, 1);
  await turn();
  assert.deepEqual(
    owner.events('message').map((m) => (m as { data: unknown }).data),
    ['ring'],
  );
  assert.deepEqual(
    guest.events('message').map((m) => (m as { data: unknown }).data),
    ['answer'],
  );
  assert.deepEqual(other.events('message'), []);
  assert.deepEqual([guest.events('presence'), other.events('presence')], [[], []]);
  assert.deepEqual(
    new Set(owner.events('presence').flatMap((p) => (p as { join: string[] }).join)),
    new Set([mg.peerId, mx.peerId, peer(9)]),
  );
  // A room that is not an inbox is joined as always.
  rooms.join(room, 'dialect', events);
});
