import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SigmeshError } from '@sigmesh/protocol';
import { deriveRoomHash, utf8, type RoomHash } from '@sigmesh/protocol';
import { challengeFor, rawRequest, solveToken } from '../helpers/raw-http.js';
import { joinRoom } from '../helpers/room-client.js';
import { startTestNode } from '../helpers/test-node.js';

async function tryJoin(baseUrl: string, room: RoomHash, localAddress = '127.0.0.1') {
  const { challenge } = await challengeFor(baseUrl, 'room-join', localAddress);
  const token = await solveToken(challenge, utf8(room));
  return rawRequest(`${baseUrl}/room/${room}?pow=${token}`, {
    headers: { accept: 'text/event-stream, application/json' },
    localAddress,
  });
}

test('room, member and per-address stream caps are enforced with their own codes', async (t) => {
  const node = await startTestNode(t, {
    maxRooms: 2,
    maxMembersPerRoom: 2,
    maxStreamsPerAddress: 3,
  });
  const a = deriveRoomHash('limits', 'a');
  const b = deriveRoomHash('limits', 'b');
  const members = [
    await joinRoom(node.url(), a),
    await joinRoom(node.url(), a),
    await joinRoom(node.url(), b),
  ];
  t.after(() => members.forEach((m) => m.close()));

  const full = await tryJoin(node.url(), a, '127.0.0.2');
  assert.equal(full.status, 503);
  assert.equal((full.json() as { code: string }).code, 'ROOM_FULL');

  const tooManyRooms = await tryJoin(node.url(), deriveRoomHash('limits', 'c'), '127.0.0.2');
  assert.equal((tooManyRooms.json() as { code: string }).code, 'ROOM_LIMIT_REACHED');

  const tooManyStreams = await tryJoin(node.url(), b);
  assert.equal(tooManyStreams.status, 429);
  assert.equal((tooManyStreams.json() as { code: string }).code, 'ROOM_TOO_MANY_STREAMS');
  assert.equal(
    (await tryJoin(node.url(), b, '127.0.0.2')).status,
    200,
    'another address may still join',
  );
  await assert.rejects(
    joinRoom(node.url(), b),
    (error: SigmeshError) => error.code === 'ROOM_TOO_MANY_STREAMS' || error.code === 'ROOM_FULL',
  );
});
