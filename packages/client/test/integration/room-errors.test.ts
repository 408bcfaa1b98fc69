import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { RTCPeerConnection } from 'werift';
import { joinRoom, type SigmeshError } from '../../src/index.js';
import { startMeshTestnet } from '../helpers/testnet.js';
import { joinWithWerift, memoryStorage } from '../helpers/werift-client.js';

const rtc = { RTCPeerConnection };

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<SigmeshError> {
  const error = await promise.then(
    () => assert.fail(`expected ${code}`),
    (caught: unknown) => caught as SigmeshError,
  );
  assert.equal(error.code, code, error.message);
  return error;
}

/** A loopback port nothing listens on. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

test('bad options are refused with CLIENT_OPTIONS_INVALID', async () => {
  const base = { appId: 'app', room: 'r', nodes: ['http://127.0.0.1:1'], rtc };
  await rejectsWith(joinRoom({ ...base, appId: '' }), 'CLIENT_OPTIONS_INVALID');
  await rejectsWith(joinRoom({ ...base, k: 0 }), 'CLIENT_OPTIONS_INVALID');
  await rejectsWith(joinRoom({ ...base, nodes: ['ftp://example'] }), 'CLIENT_OPTIONS_INVALID');
  await rejectsWith(joinRoom({ ...base, password: '' }), 'CLIENT_OPTIONS_INVALID');
  await rejectsWith(joinRoom({ ...base, replayWindowMs: 0 }), 'CLIENT_OPTIONS_INVALID');
  await rejectsWith(joinRoom({ ...base, replayCacheSize: 1.5 }), 'CLIENT_OPTIONS_INVALID');
  await rejectsWith(joinRoom({ ...base, maxFragmentSenders: 0 }), 'CLIENT_OPTIONS_INVALID');
  await rejectsWith(joinRoom({ ...base, maxBufferedFragmentChars: 10 }), 'CLIENT_OPTIONS_INVALID');
});

test('without an RTCPeerConnection joinRoom says WEBRTC_UNAVAILABLE', async () => {
  await rejectsWith(
    joinRoom({ appId: 'app', room: 'r', nodes: ['http://127.0.0.1:1'] }),
    'WEBRTC_UNAVAILABLE',
  );
});

test('no reachable node gives NO_NODE_REACHABLE naming each failure', async () => {
  const url = await deadUrl();
  const error = await rejectsWith(
    joinRoom({ appId: 'app', room: 'r', nodes: [url], rtc, storage: memoryStorage() }),
    'NO_NODE_REACHABLE',
  );
  assert.match(error.message, new RegExp(url.replace(/[.:/]/g, '\\$&')));
});

test('nodes pricier than maxPowDifficulty give POW_TOO_EXPENSIVE', async (t) => {
  const testnet = await startMeshTestnet(t, 1);
  await rejectsWith(
    joinRoom({
      appId: 'app',
      room: 'r',
      nodes: [testnet.nodes[0]!.url()],
      rtc,
      storage: memoryStorage(),
      maxPowDifficulty: 10,
    }),
    'POW_TOO_EXPENSIVE',
  );
});

test('a room full on every node gives ROOM_FULL', async (t) => {
  const testnet = await startMeshTestnet(t, 1, { maxMembersPerRoom: 1 });
  const nodes = [testnet.nodes[0]!.url()];
  await joinWithWerift(t, { appId: 'app', room: 'full', nodes, k: 1, turn: false });
  await rejectsWith(
    joinRoom({
      appId: 'app',
      room: 'full',
      nodes,
      k: 1,
      rtc,
      storage: memoryStorage(),
      turn: false,
    }),
    'ROOM_FULL',
  );
});

test('relay-only ICE without any TURN server gives TURN_UNAVAILABLE', async (t) => {
  const testnet = await startMeshTestnet(t, 1);
  await rejectsWith(
    joinRoom({
      appId: 'app',
      room: 'r',
      nodes: [testnet.nodes[0]!.url()],
      rtc,
      storage: memoryStorage(),
      turn: false,
      iceTransportPolicy: 'relay',
    }),
    'TURN_UNAVAILABLE',
  );
});

test('send to an unknown peer and use after leave() fail with their codes', async (t) => {
  const testnet = await startMeshTestnet(t, 1);
  const room = await joinWithWerift(t, {
    appId: 'app',
    room: 'r',
    nodes: [testnet.nodes[0]!.url()],
    turn: false,
  });
  await rejectsWith(room.send('x', '0'.repeat(32) as never), 'PEER_NOT_CONNECTED');
  room.leave();
  await rejectsWith(room.send('x'), 'ROOM_LEFT');
});
