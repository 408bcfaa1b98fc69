import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { deriveRoomHash, type PeerId } from '@sigmesh/protocol';
import { spawnNode, type NodeProcess } from '../../helpers/node-process.js';
import { joinRoom, type TestMember } from '../../helpers/room-client.js';
import { waitFor } from '../../helpers/wait-for.js';

// Lines and stars of `sigmesh start` processes linked by --mesh-peers (no DHT), so presence has
// to travel through nodes in between. Views must converge to what each node can really reach,
// through SIGKILL, restarts and SIGSTOP of the nodes in the middle.

const room = deriveRoomHash('topology-test', 'lobby');
const fast = [
  '--dht-bootstrap',
  'none',
  '--mesh-beat-ms',
  '500',
  '--mesh-presence-lease-ms',
  '2000',
];

async function expectViews(
  expected: ReadonlyMap<TestMember, readonly TestMember[]>,
  what: string,
  ms = 15_000,
): Promise<void> {
  const matches = (): boolean =>
    [...expected].every(([watcher, others]) => {
      const view = watcher.view();
      return view.size === others.length && others.every((o) => view.has(o.peerId));
    });
  try {
    await waitFor(matches, what, ms);
  } catch (error) {
    const got = [...expected.keys()]
      .map((w, i) => `watcher ${i}: ${[...w.view()].map((p: PeerId) => p.slice(0, 6)).join(',')}`)
      .join('; ');
    throw new Error(`${(error as Error).message}: ${got}`);
  }
}

async function chain(
  t: TestContext,
  count: number,
  peerOf: (index: number, urls: string[]) => string[],
): Promise<{ nodes: NodeProcess[]; dirs: string[]; ports: number[] }> {
  const nodes: NodeProcess[] = [];
  const dirs: string[] = [];
  for (let i = 0; i < count; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'sigmesh-topology-'));
    dirs.push(dataDir);
    const peers = peerOf(
      i,
      nodes.map((n) => n.url),
    );
    nodes.push(
      await spawnNode(t, {
        args: [...fast, ...(peers.length > 0 ? ['--mesh-peers', peers.join(',')] : [])],
        dataDir,
      }),
    );
  }
  return { nodes, dirs, ports: nodes.map((n) => n.port) };
}

test('a line of 4 processes: presence crosses the middle; a killed middle node splits and heals', async (t) => {
  // 1 — 2 — 3 — 4: each node names the one before it.
  const { nodes, dirs, ports } = await chain(t, 4, (i, urls) => (i === 0 ? [] : [urls[i - 1]!]));
  const w = await Promise.all(nodes.map((n) => joinRoom(n.url, room)));
  t.after(() => w.forEach((m) => m.close()));
  const all = (except: TestMember): TestMember[] => w.filter((m) => m !== except);
  await expectViews(new Map(w.map((m) => [m, all(m)])), 'everyone along the line', 20_000);

  for (let i = 0; i < 5; i++) {
    const passer = await joinRoom(nodes[0]!.url, room);
    await expectViews(
      new Map([[w[3]!, [w[0]!, w[1]!, w[2]!, passer]]]),
      `passer ${i} at the far end`,
    );
    passer.close();
  }
  await expectViews(new Map(w.map((m) => [m, all(m)])), 'no ghost of the passers');

  nodes[1]!.signal('SIGKILL'); // the line breaks between 1 and 3
  await expectViews(
    new Map([
      [w[0]!, []],
      [w[2]!, [w[3]!]],
      [w[3]!, [w[2]!]],
    ]),
    'each side sees only what it still reaches',
  );
  const restarted = await spawnNode(t, {
    args: [...fast, '--mesh-peers', nodes[0]!.url],
    dataDir: dirs[1]!,
    port: ports[1]!,
  });
  const back = await joinRoom(restarted.url, room);
  t.after(() => back.close());
  const now = [w[0]!, back, w[2]!, w[3]!];
  await expectViews(
    new Map(now.map((m) => [m, now.filter((o) => o !== m)])),
    'the line healed through the restarted node',
    20_000,
  );
});

test('a star of 4 processes: a hung hub hides the leaves from each other until it wakes', async (t) => {
  // Node 1 is the hub; 2, 3 and 4 name only the hub.
  const { nodes } = await chain(t, 4, (i, urls) => (i === 0 ? [] : [urls[0]!]));
  const w = await Promise.all(nodes.map((n) => joinRoom(n.url, room)));
  t.after(() => w.forEach((m) => m.close()));
  const everyone = new Map(w.map((m) => [m, w.filter((o) => o !== m)]));
  await expectViews(everyone, 'every leaf sees every other through the hub', 20_000);

  nodes[0]!.signal('SIGSTOP');
  const started = Date.now();
  await expectViews(
    new Map([
      [w[1]!, []],
      [w[2]!, []],
      [w[3]!, []],
    ]),
    'the leaves alone while the hub hangs',
  );
  t.diagnostic(`leaves alone ${Date.now() - started} ms after SIGSTOP of the hub`);
  nodes[0]!.signal('SIGCONT');
  await expectViews(everyone, 'everyone again once the hub runs', 20_000);
});
