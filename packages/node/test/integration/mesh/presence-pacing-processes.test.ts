import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { deriveRoomHash } from '@sigmesh/protocol';
import { spawnNode, type NodeProcess } from '../../helpers/node-process.js';
import { parsePrometheusText, sampleValue } from '../../helpers/prometheus-text.js';
import { joinRoom, type TestMember } from '../../helpers/room-client.js';
import { waitFor } from '../../helpers/wait-for.js';

// Beat pacing across separate processes: with a budget of one beat value per second per room, a
// room of 4 nodes makes each of them beat 16 times less often (250 ms → 4 s, signed into a new
// anchor). The others must time leases by that interval — by the base lease (1 s) every member
// would flap — receive far fewer beat values, and still find a hung node gone.

const room = deriveRoomHash('pacing-test', 'lobby');
const args = [
  '--dht-bootstrap',
  'none',
  '--mesh-beat-ms',
  '250',
  '--mesh-presence-lease-ms',
  '1000',
  '--mesh-room-beats-per-second',
  '1',
];

async function metric(node: NodeProcess, name: string): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  return sampleValue(parsePrometheusText(text), name);
}

const complete = (members: readonly TestMember[]): boolean =>
  members.every((m) => {
    const view = m.view();
    return view.size === members.length - 1 && members.every((o) => o === m || view.has(o.peerId));
  });

test('a room of 4 processes paced to 1 beat value per second: 4 s beats, views steady, a hung node still leaves', async (t) => {
  const nodes: NodeProcess[] = [];
  for (let i = 0; i < 4; i++) {
    const peers = nodes.map((n) => n.url);
    nodes.push(
      await spawnNode(t, {
        args: [...args, ...(peers.length > 0 ? ['--mesh-peers', peers.join(',')] : [])],
      }),
    );
  }
  const members = await Promise.all(nodes.map((n) => joinRoom(n.url, room)));
  t.after(() => members.forEach((m) => m.close()));
  await waitFor(() => complete(members), 'every member sees the three others', 20_000);

  // Span 4 (itself and three others) at 1 value per second: 4 s, 16 × the base.
  for (const node of nodes) {
    await waitFor(
      async () => (await metric(node, 'sigmesh_mesh_beat_interval_seconds')) === 4,
      'each node beats every 4 s',
      15_000,
    );
  }

  // Over 8 s each node hears 3 others: 96 values at 250 ms beats, 6 at 4 s (relayed copies
  // aside). And no member flaps: the 1 s base lease would drop them between beats.
  const before = await Promise.all(
    nodes.map((n) => metric(n, 'sigmesh_mesh_beats_received_total')),
  );
  for (let at = 0; at < 8_000; at += 250) {
    assert.ok(complete(members), `a view lost a member ${at} ms into the steady window`);
    await sleep(250);
  }
  const after = await Promise.all(nodes.map((n) => metric(n, 'sigmesh_mesh_beats_received_total')));
  for (const [i, count] of after.entries()) {
    const received = count - before[i]!;
    t.diagnostic(`node ${i}: ${received} beat values received in 8 s`);
    assert.ok(received < 40, `node ${i} received ${received} beat values in 8 s`);
  }

  // A hung node: its lease is 3 of its 4 s intervals, then it is gone from every other view.
  nodes[3]!.signal('SIGSTOP');
  const stopped = Date.now();
  const others = members.slice(0, 3);
  await waitFor(() => complete(others), 'the hung node gone from the other views', 30_000);
  t.diagnostic(`hung node gone ${Date.now() - stopped} ms after SIGSTOP`);
  nodes[3]!.signal('SIGCONT');
  await waitFor(() => complete(members), 'every member again once it runs', 30_000);
});
