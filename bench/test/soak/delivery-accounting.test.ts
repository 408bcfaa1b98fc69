import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  tallyDeliveries,
  type MemberRecord,
  type PostRecord,
} from '../../soak/delivery-accounting.js';

const rules = { joinGraceMs: 1_000, leaveGraceMs: 5_000 };

function member(peerId: string, fields: Partial<MemberRecord> = {}): MemberRecord {
  return { peerId, room: 'r1', node: 0, joinedAt: 0, received: [], ...fields };
}

function post(id: number, fields: Partial<PostRecord> = {}): PostRecord {
  return {
    id,
    room: 'r1',
    from: 'a',
    node: 0,
    sentAt: 10_000,
    answeredAt: 10_002,
    outcome: 'ok',
    ...fields,
  };
}

test('a broadcast is owed to every other member present from before it until after it', () => {
  const tally = tallyDeliveries(
    [post(1)],
    [
      member('a'), // the sender: owed nothing
      member('b', { received: [1] }),
      member('c', { node: 1 }), // stayed, missed it: lost
      member('d', { joinedAt: 9_500 }), // joined 0.5 s before: not owed
      member('e', { joinedAt: 12_000 }), // joined after: not owed, not counted
      member('f', { leftAt: 12_000, end: 'churn' }), // left 2 s after: not owed
      member('g', { leftAt: 20_000, end: 'churn', received: [1] }), // left 10 s after: owed, got it
      member('h', { room: 'r2' }), // another room
    ],
    rules,
  );
  assert.equal(tally.expected, 3);
  assert.equal(tally.delivered, 2);
  assert.equal(tally.lost, 1);
  assert.equal(tally.lostToMembersThatStayed, 1);
  assert.deepEqual(tally.crossNode, { expected: 1, delivered: 0 });
  assert.equal(tally.lostExamples[0]?.member, 'c');
  assert.deepEqual(tally.boundary, { delivered: 0, missed: 2 });
});

test('an addressed post is owed to its addressee only; anyone else reading it is misdelivered', () => {
  const tally = tallyDeliveries(
    [post(1, { to: 'b' }), post(2, { outcome: 'ROOM_PEER_NOT_FOUND', to: 'z' })],
    [member('a'), member('b', { received: [1] }), member('c', { received: [1] })],
    rules,
  );
  assert.equal(tally.expected, 1);
  assert.equal(tally.delivered, 1);
  assert.equal(tally.misdelivered, 1);
  assert.deepEqual(tally.posts, {
    made: 2,
    accepted: 1,
    refused: { ROOM_PEER_NOT_FOUND: 1 },
    addressed: 2,
  });
});

test('duplicates, echoes to the sender and unknown posts are counted', () => {
  const tally = tallyDeliveries(
    [post(1)],
    [member('a', { received: [1] }), member('b', { received: [1, 1, 7] })],
    rules,
  );
  assert.equal(tally.duplicates, 1);
  assert.equal(tally.misdelivered, 1);
  assert.equal(tally.unknownPosts, 1);
  assert.equal(tally.lost, 0);
});
