import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { deriveRoomHash, type PeerId, type WelcomeEvent } from '@sigmesh/protocol';
import type { StreamSink } from '../../src/rooms/member.js';
import { MemberIdBlocks } from '../../src/rooms/member-id-blocks.js';
import { RoomRegistry } from '../../src/rooms/room-registry.js';
import { sseChunk, sseWelcome } from '../../src/rooms/sse-chunk.js';
import { seededRandom } from '../helpers/seeded-random.js';

const peer = (n: number): PeerId => n.toString(16).padStart(32, '0') as PeerId;
const expected = (ids: readonly string[], except?: string): string =>
  ids
    .filter((id) => id !== except)
    .map((id) => JSON.stringify(id))
    .join(',');

test('member id blocks encode exactly the ids in join order, under seeded churn', () => {
  for (const seed of [1, 2, 3]) {
    const random = seededRandom(seed);
    const blocks = new MemberIdBlocks();
    const truth: PeerId[] = [];
    let next = 0;
    for (let step = 0; step < 3000; step++) {
      if (truth.length === 0 || random() < 0.6) {
        const id = peer(next++);
        blocks.add(id);
        truth.push(id);
      } else {
        const [id] = truth.splice(Math.floor(random() * truth.length), 1);
        blocks.delete(id!);
      }
      if (step % 97 === 0 || step === 2999) {
        const except =
          truth.length > 0 && random() < 0.7
            ? truth[Math.floor(random() * truth.length)]
            : undefined;
        const text = Buffer.concat(blocks.encode(except)).toString();
        assert.equal(text, expected(truth, except), `seed ${seed}, step ${step}`);
        assert.equal(blocks.size, truth.length);
      }
    }
    // Deleting an unknown id changes nothing.
    blocks.delete(peer(1e9));
    assert.equal(Buffer.concat(blocks.encode()).toString(), expected(truth));
  }
});

test('unchanged blocks are shared between encodings; only the changed block is new', () => {
  const blocks = new MemberIdBlocks();
  for (let n = 0; n < 1000; n++) blocks.add(peer(n));
  const first = blocks.encode();
  const second = blocks.encode();
  assert.ok(first.length > 3);
  first.forEach((piece, index) => assert.equal(second[index], piece, `piece ${index} re-encoded`));
  blocks.add(peer(1000)); // lands in the last block
  const third = blocks.encode();
  assert.equal(third[0], first[0]);
  assert.notEqual(third.at(-1), first.at(-1));
  // Leaving one member out re-encodes its block only.
  const without = blocks.encode(peer(3));
  assert.notEqual(without[0], first[0]);
  assert.equal(without[2], first[2]);
});

test('sseWelcome writes exactly the bytes of the whole welcome event', () => {
  const base: Omit<WelcomeEvent, 'members'> = {
    peerId: peer(7),
    session: 'c2Vzc2lvbi10b2tlbi14',
    room: deriveRoomHash('unit', 'welcome'),
    nodeId: 'ab'.repeat(20),
    heartbeatMs: 15000,
    pow: { challenge: 'A'.repeat(58), difficulty: 2000, scope: 'room-post' },
  };
  for (const count of [0, 1, 300, 700]) {
    const blocks = new MemberIdBlocks();
    const ids = Array.from({ length: count }, (_, n) => peer(n));
    for (const id of ids) blocks.add(id);
    // In WelcomeEvent's field order, as the room route wrote it before.
    const { peerId, session, room, nodeId, heartbeatMs, pow } = base;
    const event: WelcomeEvent = { peerId, session, room, nodeId, members: ids, heartbeatMs, pow };
    const whole = sseChunk('welcome', event);
    assert.deepEqual(Buffer.concat(sseWelcome(base, blocks.encode())), whole, `${count} members`);
    // With the id of the hello the join carried, which comes last.
    const hello = 'f'.repeat(32);
    assert.deepEqual(
      Buffer.concat(sseWelcome({ ...base, hello }, blocks.encode())),
      sseChunk('welcome', { ...event, hello }),
      `${count} members and a hello`,
    );
  }
});

class CorkSink implements StreamSink {
  writableLength = 0;
  corked = 0;
  /** What reached the "socket": one entry per uncorked batch or uncorked write. */
  flushed: string[] = [];
  #held: string[] = [];
  corkedWrites = 0;
  write(chunk: Buffer): boolean {
    if (this.corked > 0) this.corkedWrites++;
    if (this.corked > 0) this.#held.push(chunk.toString());
    else this.flushed.push(chunk.toString());
    return true;
  }
  cork(): void {
    this.corked++;
  }
  uncork(): void {
    if (--this.corked === 0 && this.#held.length > 0)
      this.flushed.push(this.#held.splice(0).join(''));
  }
  destroy(): void {}
}

test("a big room's welcome reaches the stream in one corked batch, with local and remote members", async () => {
  const room = deriveRoomHash('unit', 'big-welcome');
  const rooms = new RoomRegistry({
    limits: {
      maxRooms: 2,
      maxMembersPerRoom: 5000,
      maxStreamsPerAddress: 5000,
      memberQueueBytes: 1 << 20,
      heartbeatMs: 1000,
      presenceBacklog: 64,
      presenceBatchMembers: 256,
      presenceIntervalMs: 0,
    },
    log: pino({ level: 'silent' }),
    now: () => 0,
  });
  for (let n = 0; n < 1500; n++)
    rooms.join(room, 'x', { writableLength: 0, write: () => true, destroy: () => undefined });
  rooms.remoteChanged(room, [peer(1e6), peer(1e6 + 1)], []);
  const sink = new CorkSink();
  const member = rooms.join(room, 'y', sink);
  const pieces = rooms.peerListBytes(room, member.peerId);
  assert.equal(Buffer.concat(pieces).toString(), expected(rooms.peers(room, member.peerId)));
  assert.ok(
    rooms.send(member, [
      Buffer.from('event: welcome\ndata: {"members":['),
      ...pieces,
      Buffer.from(']}\n\n'),
    ]),
  );
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(sink.flushed.length, 1, 'one batch');
  // The shared pieces were written as they are, not copied into one buffer first.
  assert.ok(sink.corkedWrites > 3, `${sink.corkedWrites} writes under the cork`);
  const data = JSON.parse(sink.flushed[0]!.split('\ndata: ')[1]!) as { members: string[] };
  assert.equal(data.members.length, 1502); // 1,500 local others, 2 remote
  assert.deepEqual(data.members.slice(-2), [peer(1e6), peer(1e6 + 1)]);
});
