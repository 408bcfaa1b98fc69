import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { deriveRoomHash } from '@sigmesh/protocol';
import { joinRaw } from '../helpers/raw-member.js';
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

test('a member that stops reading is cut once its queue is full, and node memory stays flat', async (t) => {
  const messageBytes = 60_000;
  const node = await startTestNode(t, {
    maxMessageBytes: messageBytes + 100,
    memberQueueBytes: 256 * 1024,
  });
  // The poster never receives its own broadcasts, so the test process keeps none of the 42 MB.
  const poster = await joinRoom(node.url(), room);
  const drained = await joinRaw(node.url(), room, 'drain');
  const stalled = await joinRaw(node.url(), room, 'stall');
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
