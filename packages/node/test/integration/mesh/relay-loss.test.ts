import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveRoomHash } from '@sigmesh/protocol';
import { joinRoom, type TestMember } from '../../helpers/room-client.js';
import { startTestNode } from '../../helpers/test-node.js';
import { waitFor } from '../../helpers/wait-for.js';

// A node that reaches another only through a third loses that route when the third dies. The
// 4-process SIGKILL test (presence-processes.test.ts) hit it: the node started last had linked
// only to the node then killed, and every member behind it was reported gone, then back once
// its next DHT lookup linked it to the others a second later.

const room = deriveRoomHash('relay-loss', 'lobby');

function sees(member: TestMember, ...others: TestMember[]): boolean {
  const view = member.view();
  return view.size === others.length && others.every((o) => view.has(o.peerId));
}

test('the only relay between two nodes stops: their members stay in each other’s views while they link directly', async (t) => {
  const [a, relay, c] = [await startTestNode(t), await startTestNode(t), await startTestNode(t)];
  const onA = await joinRoom(a.url(), room);
  const onRelay = await joinRoom(relay.url(), room);
  const onC = await joinRoom(c.url(), room);
  t.after(() => [onA, onRelay, onC].forEach((m) => m.close()));
  await a.connect(relay.url());
  await c.connect(relay.url());
  await waitFor(
    () => sees(onA, onRelay, onC) && sees(onC, onA, onRelay),
    'A and C to see each other through the relay',
  );

  await relay.stop();
  await a.connect(c.url()); // what discovery does a moment later
  await waitFor(() => sees(onA, onC) && sees(onC, onA), 'the relay’s member gone');
  // Past the 1.75 s grace a route loss used to start: nothing is on trial.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  assert.ok(sees(onA, onC) && sees(onC, onA));
  const reportedGone = (member: TestMember, other: TestMember): boolean =>
    member.leaves().includes(other.peerId);
  assert.ok(!reportedGone(onA, onC), 'A’s member was told C’s member left');
  assert.ok(!reportedGone(onC, onA), 'C’s member was told A’s member left');
});

test('the only relay between two nodes stops and they never link: their members leave when the lease runs out, not at once', async (t) => {
  const [a, relay, c] = [await startTestNode(t), await startTestNode(t), await startTestNode(t)];
  const onA = await joinRoom(a.url(), room);
  const onRelay = await joinRoom(relay.url(), room);
  const onC = await joinRoom(c.url(), room);
  t.after(() => [onA, onRelay, onC].forEach((m) => m.close()));
  await a.connect(relay.url());
  await c.connect(relay.url());
  await waitFor(() => sees(onA, onRelay, onC), 'A to see C through the relay');

  await relay.stop();
  const stopped = Date.now();
  await waitFor(() => !onA.view().has(onRelay.peerId), 'the relay’s member gone');
  assert.ok(sees(onA, onC), 'C’s member left A’s view with the relay');
  await waitFor(() => sees(onA), 'C’s member gone from A', 8_000);
  const after = Date.now() - stopped;
  t.diagnostic(`C’s member left A’s view ${after} ms after the relay stopped`);
  // The lease (4 s) counts from C's last beat, up to a beat interval before the stop.
  assert.ok(after >= 2_500 && after <= 6_000, `C’s member left ${after} ms after the stop`);
});
