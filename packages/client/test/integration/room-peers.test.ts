import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClientId, Room } from '../../src/index.js';
import { startMeshTestnet } from '../helpers/testnet.js';
import { joinWithWerift, nextEvent } from '../helpers/werift-client.js';

/** Resolves when `room` has had a peer-join for every id in `ids`. */
function joinsOf(room: Room, ids: () => readonly string[], ms = 20_000): Promise<void> {
  const seen = new Set<string>();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`joins missing for ${room.selfId}`)), ms);
    const check = (): void => {
      if (ids().every((id) => seen.has(id))) {
        clearTimeout(timer);
        off();
        resolve();
      }
    };
    const off = room.on('peer-join', (id) => {
      seen.add(id);
      check();
    });
  });
}

test('three clients joining at once on three nodes all connect (glare), and broadcasts reach all', async (t) => {
  const testnet = await startMeshTestnet(t, 3);
  const rooms: Room[] = [];
  const everyoneElse = (room: Room) => () =>
    rooms.filter((other) => other !== room).map((other) => other.selfId);
  const joined = await Promise.all(
    testnet.nodes.map((node) =>
      joinWithWerift(t, { appId: 'test', room: 'glare', nodes: [node.url()], turn: false }),
    ),
  );
  rooms.push(...joined);
  await Promise.all(rooms.map((room) => joinsOf(room, everyoneElse(room))));

  const [a, b, c] = rooms as [Room, Room, Room];
  const atB = nextEvent(b, 'message');
  const atC = nextEvent(c, 'message');
  await a.send({ to: 'all' });
  assert.deepEqual(await atB, [{ to: 'all' }, a.selfId]);
  assert.deepEqual(await atC, [{ to: 'all' }, a.selfId]);

  const leftAtB = nextEvent(b, 'peer-leave');
  a.leave();
  assert.deepEqual(await leftAtB, [a.selfId]);
  assert.deepEqual(
    b.peers().map((peer) => peer.id),
    [c.selfId],
  );
});

test('a shared password connects; a wrong one is reported as SIGNAL_UNAUTHENTIC and never connects', async (t) => {
  const testnet = await startMeshTestnet(t, 2);
  const [n1, n2] = testnet.nodes;
  const room = { appId: 'test', room: 'locked', turn: false };
  const a = await joinWithWerift(t, { ...room, nodes: [n1!.url()], password: 'open sesame' });
  const intruderErrors: string[] = [];
  const intruder = await joinWithWerift(t, { ...room, nodes: [n2!.url()], password: 'guess' });
  intruder.on('error', (error) => intruderErrors.push((error as { code?: string }).code ?? ''));
  const aJoins: ClientId[] = [];
  a.on('peer-join', (id) => aJoins.push(id));
  const aJoined = nextEvent(a, 'peer-join');
  const b = await joinWithWerift(t, { ...room, nodes: [n2!.url()], password: 'open sesame' });
  assert.deepEqual((await nextEvent(b, 'peer-join'))[0], a.selfId);
  await aJoined;
  assert.ok(a.encrypted && b.encrypted);
  // Give the intruder's hellos time to arrive and be refused.
  const deadline = Date.now() + 5000;
  while (intruderErrors.length === 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(intruderErrors.includes('SIGNAL_UNAUTHENTIC'), intruderErrors.join(','));
  assert.deepEqual(aJoins, [b.selfId]);
  assert.deepEqual(intruder.peers(), []);
  // The boxes that opened were remembered against replays; none was refused as one.
  for (const room of [a, b]) {
    const stats = room.signalingStats()!;
    assert.ok(stats.rememberedBoxes > 0, JSON.stringify(stats));
    assert.deepEqual(
      { replayed: stats.refused.replayed, stale: stats.refused.stale },
      { replayed: 0, stale: 0 },
    );
  }
  assert.ok(intruder.signalingStats()!.refused.unauthentic > 0);
});

test('bytes arrive intact and in order, with backpressure on a 4 MB burst', async (t) => {
  const testnet = await startMeshTestnet(t, 2);
  const [n1, n2] = testnet.nodes;
  const a = await joinWithWerift(t, {
    appId: 'test',
    room: 'bytes',
    nodes: [n1!.url()],
    turn: false,
  });
  const aJoined = nextEvent(a, 'peer-join');
  const b = await joinWithWerift(t, {
    appId: 'test',
    room: 'bytes',
    nodes: [n2!.url()],
    turn: false,
  });
  await Promise.all([nextEvent(b, 'peer-join'), aJoined]);
  const chunks = 128;
  const received: Uint8Array[] = [];
  const done = new Promise<void>((resolve) =>
    b.on('message', (data) => {
      if (data instanceof Uint8Array) received.push(data);
      if (received.length === chunks) resolve();
    }),
  );
  for (let i = 0; i < chunks; i++) await a.send(new Uint8Array(32 * 1024).fill(i % 256), b.selfId);
  await done;
  assert.equal(received.length, chunks);
  received.forEach((chunk, i) => {
    assert.equal(chunk.byteLength, 32 * 1024);
    assert.equal(chunk[0], i % 256);
    assert.equal(chunk[chunk.byteLength - 1], i % 256);
  });
});

test('when one of its nodes dies a client re-joins another and keeps its peers', async (t) => {
  const testnet = await startMeshTestnet(t, 3);
  const [n1, n2] = testnet.nodes;
  const a = await joinWithWerift(t, {
    appId: 'test',
    room: 'churn',
    nodes: [n1!.url()],
    turn: false,
  });
  const aJoined = nextEvent(a, 'peer-join');
  const b = await joinWithWerift(t, {
    appId: 'test',
    room: 'churn',
    nodes: [n2!.url()],
    turn: false,
  });
  await Promise.all([aJoined, nextEvent(b, 'peer-join')]);
  const dead = n1!.url();
  assert.ok(a.nodes.includes(dead));
  const errors: string[] = [];
  a.on('error', (error) => errors.push((error as { code?: string }).code ?? ''));
  const replaced = new Promise<readonly string[]>((resolve) =>
    a.on('nodes', (urls) => {
      if (urls.length === 2) resolve(urls);
    }),
  );
  await testnet.stopNode(0);
  const urls = await replaced;
  assert.ok(!urls.includes(dead), urls.join(' '));
  assert.deepEqual(errors, ['NODE_UNREACHABLE'], 'the lost node is reported once');
  const got = nextEvent(b, 'message');
  await a.send('after the churn', b.selfId);
  assert.deepEqual(await got, ['after the churn', a.selfId]);
});
