import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { deriveRoomHash, type PeerId } from '@sigmesh/protocol';
import { spawnNode, startProcessDht, type NodeProcess } from '../../helpers/node-process.js';
import { joinRoom, type TestMember } from '../../helpers/room-client.js';
import { waitFor } from '../../helpers/wait-for.js';

// Presence across `sigmesh start` processes on a loopback DHT: every watcher's view must end
// equal to the members that are really there, after churn, SIGKILL and SIGSTOP.

const room = deriveRoomHash('presence-test', 'lobby');

async function meshOf(t: TestContext, count: number): Promise<NodeProcess[]> {
  const { bootstrap } = await startProcessDht(t, 5);
  const nodes: NodeProcess[] = [];
  for (let i = 0; i < count; i++)
    nodes.push(await spawnNode(t, { args: ['--dht-bootstrap', bootstrap] }));
  return nodes;
}

function others(all: readonly TestMember[], self: TestMember): Set<PeerId> {
  return new Set(all.filter((m) => m !== self).map((m) => m.peerId));
}

/** Waits until every watcher's view equals the given members (minus itself). */
async function converged(
  watchers: readonly TestMember[],
  members: readonly TestMember[],
  what: string,
  ms = 10_000,
): Promise<void> {
  const describe = (): string =>
    watchers.map((w, i) => `watcher ${i + 1}: ${[...w.view()].sort().join(',')}`).join('\n');
  try {
    await waitFor(
      () =>
        watchers.every((w) => {
          const expected = others(members, w);
          const view = w.view();
          return view.size === expected.size && [...expected].every((p) => view.has(p));
        }),
      what,
      ms,
    );
  } catch (error) {
    const expected = members.map((m) => m.peerId).sort();
    throw new Error(`${(error as Error).message}\nexpected ${expected.join(',')}\n${describe()}`);
  }
}

test('3 node processes: after 10 short-lived members on node 1, every view holds only who is there', async (t) => {
  const nodes = await meshOf(t, 3);
  const watchers = await Promise.all(nodes.map((n) => joinRoom(n.url, room)));
  t.after(() => watchers.forEach((w) => w.close()));
  await converged(watchers, watchers, 'the watchers to see each other', 20_000);

  for (let i = 0; i < 10; i++) {
    const member = await joinRoom(nodes[0]!.url, room);
    await converged(watchers, [...watchers, member], `member ${i + 1} seen everywhere`);
    member.close();
  }
  await converged(watchers, watchers, 'every departed member gone from every view');
  const late = await joinRoom(nodes[2]!.url, room);
  t.after(() => late.close());
  assert.deepEqual(
    new Set(late.welcome.members),
    new Set(watchers.map((w) => w.peerId)),
    'a new member is welcomed with exactly the live members',
  );
});

test('4 node processes, one SIGKILLed: its members leave every view, nobody else does', async (t) => {
  const nodes = await meshOf(t, 4);
  const watchers = await Promise.all(nodes.map((n) => joinRoom(n.url, room)));
  const extra = await Promise.all([joinRoom(nodes[1]!.url, room), joinRoom(nodes[3]!.url, room)]);
  const everyone = [...watchers, ...extra];
  t.after(() => everyone.forEach((m) => m.close()));
  await converged(everyone, everyone, 'everyone to see everyone', 20_000);

  nodes[1]!.signal('SIGKILL');
  const survivors = [watchers[0]!, watchers[2]!, watchers[3]!, extra[1]];
  const started = Date.now();
  await converged(survivors, survivors, 'node 2’s members gone from the survivors’ views', 5_000);
  t.diagnostic(`converged ${Date.now() - started} ms after SIGKILL`);
  for (const survivor of survivors) {
    const left = survivor.leaves();
    for (const alive of survivors)
      assert.ok(!left.includes(alive.peerId), 'a live member was reported gone');
  }
});

test('3 node processes, one SIGSTOPped: its member is reported gone, then back after SIGCONT', async (t) => {
  const nodes = await meshOf(t, 3);
  const watchers = await Promise.all(nodes.map((n) => joinRoom(n.url, room)));
  t.after(() => watchers.forEach((w) => w.close()));
  await converged(watchers, watchers, 'the watchers to see each other', 20_000);

  nodes[2]!.signal('SIGSTOP');
  const stopped = Date.now();
  const awake = [watchers[0]!, watchers[1]!];
  await converged(awake, awake, 'the hung node’s member gone', 15_000);
  t.diagnostic(`hung node noticed ${Date.now() - stopped} ms after SIGSTOP`);
  await assert.rejects(
    awake[0]!.post('are you there?', watchers[2]!.peerId),
    (error: { code?: string }) => error.code === 'ROOM_PEER_NOT_FOUND',
    'a post to a member of a hung node is refused, not reported delivered',
  );

  nodes[2]!.signal('SIGCONT');
  await converged(watchers, watchers, 'the member back once its node runs again', 20_000);
});

test('3 node processes, one stalled (SIGSTOP) longer than the lease: after SIGCONT its member gets every message posted meanwhile and keeps its view', async (t) => {
  const nodes = await meshOf(t, 3);
  const watchers = await Promise.all(nodes.map((n) => joinRoom(n.url, room)));
  t.after(() => watchers.forEach((w) => w.close()));
  await converged(watchers, watchers, 'the watchers to see each other', 20_000);

  // The stalled node is the receiver here: the posts wait in its sockets while it sleeps. On
  // waking, the beats of the other owners are in the same buffers; they must count before the
  // node judges those owners gone for a silence that was its own.
  const sleeper = watchers[2]!;
  const leavesBefore = sleeper.leaves().length;
  nodes[2]!.signal('SIGSTOP');
  const posted: string[] = [];
  for (let i = 0; i < 5; i++) {
    const text = `while you slept ${i}`;
    await watchers[0]!.post(text);
    posted.push(text);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  nodes[2]!.signal('SIGCONT');
  await waitFor(
    () => posted.every((text) => sleeper.messages().some((m) => m.data === text)),
    'every message posted during the stall',
    10_000,
  ).catch((error: unknown) => {
    const got = sleeper.messages().map((m) => m.data);
    throw new Error(`${(error as Error).message}: got ${JSON.stringify(got)}`);
  });
  await converged(watchers, watchers, 'every view whole after the stall', 10_000);
  assert.deepEqual(
    sleeper.leaves().slice(leavesBefore),
    [],
    'the sleeper was not told that the others left',
  );
});

test('3 node processes, one stalled (SIGSTOP) longer than the lease while its member posts: after SIGCONT the post reaches every node', async (t) => {
  const nodes = await meshOf(t, 3);
  const watchers = await Promise.all(nodes.map((n) => joinRoom(n.url, room)));
  t.after(() => watchers.forEach((w) => w.close()));
  await converged(watchers, watchers, 'the watchers to see each other', 20_000);

  // The others judge the sleeper gone after the lease; its member's post waits in the node's
  // socket. On waking the node reads it before its beat timer runs: the message must not reach
  // the others before a beat proving the owner alive again.
  nodes[0]!.signal('SIGSTOP');
  const awake = [watchers[1]!, watchers[2]!];
  await converged(awake, awake, 'the stalled node’s member gone', 15_000);
  const posting = watchers[0]!.post('good morning');
  await new Promise((resolve) => setTimeout(resolve, 500));
  nodes[0]!.signal('SIGCONT');
  await posting;
  for (const [i, watcher] of awake.entries())
    await waitFor(
      () => watcher.messages().some((m) => m.data === 'good morning'),
      `the post on node ${i + 2}`,
      10_000,
    );
  await converged(watchers, watchers, 'every view whole after the stall', 10_000);
});
