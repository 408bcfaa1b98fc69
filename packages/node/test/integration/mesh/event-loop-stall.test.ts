import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveRoomHash } from '@sigmesh/protocol';
import { joinRoom } from '../../helpers/room-client.js';
import { startTestnet } from '../../helpers/test-testnet.js';
import { waitFor } from '../../helpers/wait-for.js';

// A whole host starved of CPU (a loaded VM, a long GC pause, a laptop waking up): every node's
// event loop stops for longer than the presence lease, then resumes with overdue timers and full
// sockets. The soak saw it lose messages; nodes must not judge each other gone for a silence
// that was their own, nor refuse what arrives in the backlog.

const room = deriveRoomHash('mesh-test', 'event-loop-stall');

function stallEventLoop(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // The whole process, all three nodes in it, holds its breath.
  }
}

test('three nodes in one stalled process: nothing posted around the stall is lost, nobody flaps', async (t) => {
  const net = await startTestnet(t, { nodes: 3 });
  const members = await Promise.all(net.nodes.map((node) => joinRoom(node.url(), room)));
  t.after(() => members.forEach((m) => m.close()));
  await waitFor(
    () => members.every((m) => m.view().size === 2),
    'the three members to see each other',
    20_000,
  );
  const leavesBefore = members.map((m) => m.leaves().length);

  const posts = [members[0]!.post('before'), members[1]!.post('before too')];
  await new Promise((resolve) => setTimeout(resolve, 5));
  stallEventLoop(6_000);
  await Promise.all(posts);
  await Promise.all([members[2]!.post('after'), members[0]!.post('after too')]);

  const want = new Map([
    [members[0]!, ['before too', 'after']],
    [members[1]!, ['before', 'after', 'after too']],
    [members[2]!, ['before', 'before too', 'after too']],
  ]);
  for (const [member, texts] of want)
    await waitFor(
      () => texts.every((text) => member.messages().some((m) => m.data === text)),
      `${member.peerId} to get ${texts.join(', ')}`,
      10_000,
    ).catch((error: unknown) => {
      const got = member.messages().map((m) => m.data);
      throw new Error(`${(error as Error).message}; got ${JSON.stringify(got)}`);
    });
  assert.deepEqual(
    members.map((m, i) => m.leaves().slice(leavesBefore[i])),
    [[], [], []],
    'no member was told that another left',
  );
});
