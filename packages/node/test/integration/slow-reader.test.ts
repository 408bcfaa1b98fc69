import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { deriveRoomHash, utf8 } from '@sigmesh/protocol';
import { challengeFor, solveToken } from '../helpers/raw-http.js';
import { joinRoom } from '../helpers/room-client.js';
import { waitFor } from '../helpers/wait-for.js';
import { startTestNode } from '../helpers/test-node.js';

const room = deriveRoomHash('test-app', 'slow-reader');

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * JS heap plus ArrayBuffers (where queued SSE chunks live). Not `external`: that also counts
 * OpenSSL hash contexts from this process's own PoW solving, which are freed lazily after GC.
 */
async function retainedBytes(): Promise<number> {
  // Backing stores are released by finalizers after a collection: collect, let them run, repeat.
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/**
 * Joins over a raw socket and reads the welcome; then either stops reading entirely (`stall`)
 * or keeps reading and throws everything away (so the test process retains nothing it received).
 */
async function joinRaw(
  baseUrl: string,
  mode: 'stall' | 'drain',
): Promise<{ peerId: string; destroy(): void }> {
  const { challenge } = await challengeFor(baseUrl, 'room-join');
  const token = await solveToken(challenge, utf8(room));
  const { hostname, port } = new URL(baseUrl);
  const socket = connect(Number(port), hostname);
  socket.write(
    `GET /room/${room}?pow=${encodeURIComponent(token)} HTTP/1.1\r\nHost: ${hostname}\r\nAccept: text/event-stream\r\n\r\n`,
  );
  // Not `for await`: leaving that loop would destroy the socket; we want it open and unread.
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      const match = /event: welcome\ndata: (.*)\n\n/.exec(text);
      if (!match) return;
      socket.off('data', onData);
      if (mode === 'stall') socket.pause();
      else socket.on('data', () => undefined);
      resolve({
        peerId: (JSON.parse(match[1]!) as { peerId: string }).peerId,
        destroy: () => socket.destroy(),
      });
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

test('a member that stops reading is cut once its queue is full, and node memory stays flat', async (t) => {
  const messageBytes = 60_000;
  const node = await startTestNode(t, {
    maxMessageBytes: messageBytes + 100,
    memberQueueBytes: 256 * 1024,
  });
  // The poster never receives its own broadcasts, so the test process keeps none of the 42 MB.
  const poster = await joinRoom(node.url(), room);
  const drained = await joinRaw(node.url(), 'drain');
  const stalled = await joinRaw(node.url(), 'stall');
  t.after(() => {
    poster.close();
    drained.destroy();
    stalled.destroy();
  });
  await waitFor(() => poster.view().size === 2, 'both readers in the poster’s view');
  const before = await retainedBytes();
  const payload = 'x'.repeat(messageBytes - 20);
  const total = 700; // ≈ 42 MB pushed at the stalled member if it were never cut
  let cutAfter = -1;
  for (let i = 0; i < total; i++) {
    await poster.post(payload);
    if (cutAfter < 0 && poster.leaves().includes(stalled.peerId as never)) cutAfter = i;
  }
  const grown = (await retainedBytes()) - before;
  assert.ok(
    grown < 16 * 1024 * 1024,
    `node memory grew by ${(grown / 1048576).toFixed(1)} MiB while 42 MB went to the room`,
  );
  assert.ok(cutAfter >= 0, 'the stalled member was cut and its leave announced');
  assert.equal(node.stats().slowConsumersCut, 1);
  assert.equal(node.stats().members, 2, 'the poster and the draining reader remain');
  assert.ok(node.stats().deliveries >= total, 'the draining reader got every message');
});
