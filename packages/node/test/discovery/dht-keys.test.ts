import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { epochOf, networkKey, roomEpochs, roomKey } from '../../src/discovery/dht-keys.js';

const room = 'ab'.repeat(20);
const hour = 3_600_000;
const minute = 60_000;

test('the room key is sha1("sigmesh:room:" + hash + ":" + epoch), never the raw hash', () => {
  const expected = createHash('sha1').update(`sigmesh:room:${room}:42`).digest();
  assert.deepEqual(roomKey(room, 42), expected);
  assert.notEqual(roomKey(room, 42).toString('hex'), room);
  assert.notDeepEqual(roomKey(room, 43), roomKey(room, 42));
});

test('the network key is sha1 of the network name', () => {
  assert.equal(
    networkKey().toString('hex'),
    createHash('sha1').update('sigmesh:network:v1').digest('hex'),
  );
  assert.notDeepEqual(networkKey('other'), networkKey());
});

test('mid-epoch: announce and look up the current epoch only', () => {
  const now = 10 * hour + 30 * minute;
  assert.equal(epochOf(now, hour), 10);
  assert.deepEqual(roomEpochs(now, hour, 2 * minute), { announce: [10], lookup: [10] });
});

test('near the end: also announce and look up the next epoch', () => {
  const now = 11 * hour - minute;
  assert.deepEqual(roomEpochs(now, hour, 2 * minute), { announce: [10, 11], lookup: [10, 11] });
});

test('just after the boundary: also look up (not announce) the previous epoch', () => {
  const now = 11 * hour + minute;
  assert.deepEqual(roomEpochs(now, hour, 2 * minute), { announce: [11], lookup: [10, 11] });
});
