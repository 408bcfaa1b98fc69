/**
 * `/token` paid ahead (issue 13): its proof-of-work is solved while the join travels, from the
 * challenge the probe quoted, and the node accepts it with the member's session — the same
 * payment as before, made earlier, not a second one.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { deriveRoomHash, type PowOffer } from '@sigmesh/protocol';
import { fetchIceServers, prepayIceServers } from '../../src/ice-servers.js';
import { probedOffer, type ProbedNode } from '../../src/nodes/node-pool.js';
import { NodeSession, type NodeSessionHandlers } from '../../src/nodes/node-session.js';
import { createPowSolver, type PowSolver } from '../../src/pow/pow-solver.js';
import { singleNodePool } from '../helpers/node-pool.js';
import { startMeshTestnet } from '../helpers/testnet.js';

const quiet: NodeSessionHandlers = {
  join: () => undefined,
  leave: () => undefined,
  message: () => undefined,
  bye: () => undefined,
  closed: () => undefined,
};

/** A solver that logs the scope of every payment it is asked for (and what it binds). */
function loggingSolver(log: string[], bounds: string[] = []): PowSolver {
  const solver = createPowSolver();
  return {
    get hashesPerSecond() {
      return solver.hashesPerSecond;
    },
    close: () => solver.close(),
    pay: (offer: PowOffer, bound, signal) => {
      log.push(`pay ${offer.scope}`);
      bounds.push(new TextDecoder().decode(bound));
      return solver.pay(offer, bound, signal);
    },
  };
}

/** The node at `url` probed through a NodePool, with a logging solver closed after the test. */
async function probeFirst(t: TestContext, url: string) {
  const log: string[] = [];
  const bounds: string[] = [];
  const solver = loggingSolver(log, bounds);
  t.after(() => solver.close());
  const pool = singleNodePool(url, solver);
  const [node] = await pool.rank(new Set(), undefined, true);
  assert.ok(node);
  return { log, bounds, solver, node };
}

test('the /token payment is made while the join travels, and the node takes it from the member', async (t) => {
  const testnet = await startMeshTestnet(t, 1, { turnAllowPeer: ['127.0.0.0/8'] });
  const { log, solver, node } = await probeFirst(t, testnet.nodes[0]!.url());
  const room = deriveRoomHash('prepay-test', 'room');
  let prepaid: Promise<string | undefined> | undefined;
  const session = await NodeSession.open(node, room, solver, quiet, {
    timeoutMs: 10_000,
    maxDifficulty: 1 << 22,
    paid: () => {
      log.push('paid');
      prepaid = prepayIceServers(node, solver);
    },
  });
  t.after(() => session.close());
  log.push('welcome');
  // The join's own payment comes first; `paid` once, then the token's, before the welcome; at
  // the welcome, the first post's (paid ahead: spare-post-token.ts).
  assert.deepEqual(log, ['pay room-join', 'paid', 'pay token', 'pay room-post', 'welcome']);
  const token = await prepaid;
  assert.ok(token !== undefined, 'the probe quoted a /token challenge');
  const ice = await fetchIceServers(session, solver, 10_000, probedOffer(node, 'token'), token);
  assert.ok(ice.iceServers.some((server) => server.urls.some((url) => url.startsWith('turn:'))));
  assert.deepEqual(log.slice(5), [], 'the node took the prepaid token: nothing paid again');
});

test('a join with a prepaid token (a spare) pays nothing and does not call paid', async (t) => {
  const testnet = await startMeshTestnet(t, 1);
  const { log, solver, node } = await probeFirst(t, testnet.nodes[0]!.url());
  const room = deriveRoomHash('prepay-test', 'spare');
  const joinOffer = probedOffer(node, 'room-join');
  assert.ok(joinOffer);
  const spareSolver = createPowSolver();
  t.after(() => spareSolver.close());
  const token = await spareSolver.pay(joinOffer, new TextEncoder().encode(room));
  const session = await NodeSession.open(node, room, solver, quiet, {
    timeoutMs: 10_000,
    maxDifficulty: 1 << 22,
    prepaid: token,
    paid: () => log.push('paid'),
  });
  t.after(() => session.close());
  // Nothing for the join; only the first post's proof, paid ahead at the welcome.
  assert.deepEqual(log, ['pay room-post']);
});

/**
 * Posts `count` messages through a fresh session on `node` (as probed, or with its features
 * replaced), each logged as `post N` before it is made, and a second member's view of them.
 */
async function postThrough(
  t: TestContext,
  url: string,
  count: number,
  features?: ProbedNode['info']['features'],
) {
  const { log, bounds, solver, node: probed } = await probeFirst(t, url);
  const node = features === undefined ? probed : { ...probed, info: { ...probed.info, features } };
  const room = deriveRoomHash('prepay-test', `posts-${features === undefined}`);
  const heard: unknown[] = [];
  const listener = createPowSolver();
  t.after(() => listener.close());
  const receiver = await NodeSession.open(
    node,
    room,
    listener,
    { ...quiet, message: (event) => heard.push(event.data) },
    { timeoutMs: 10_000, maxDifficulty: 1 << 22 },
  );
  t.after(() => receiver.close());
  const session = await NodeSession.open(node, room, solver, quiet, {
    timeoutMs: 10_000,
    maxDifficulty: 1 << 22,
  });
  t.after(() => session.close());
  // What the join paid is not the point: from its last payment on.
  const from = log.lastIndexOf('pay room-join') + 1;
  for (let n = 1; n <= count; n++) {
    log.push(`post ${n}`);
    bounds.push('');
    await session.post({ n });
  }
  const deadline = Date.now() + 5000;
  while (heard.length < count && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
  const posts = log.slice(from);
  const postBounds = bounds.slice(from).filter((_, index) => posts[index] === 'pay room-post');
  return { log: posts, bounds: postBounds, heard, room };
}

test('posts to a node listing room-bound-posts leave with a proof solved ahead over the room hash', async (t) => {
  const testnet = await startMeshTestnet(t, 1);
  const { log, bounds, heard, room } = await postThrough(t, testnet.nodes[0]!.url(), 3);
  // Each post's proof was asked for before the post (at the welcome, then at each answer), and
  // the node took every one: nothing was paid twice.
  assert.deepEqual(log, [
    'pay room-post',
    'post 1',
    'pay room-post',
    'post 2',
    'pay room-post',
    'post 3',
    'pay room-post',
  ]);
  assert.deepEqual(new Set(bounds), new Set([room]));
  assert.deepEqual(heard, [{ n: 1 }, { n: 2 }, { n: 3 }]);
});

test('on a node without room-bound-posts, posts pay when made, over their body', async (t) => {
  const testnet = await startMeshTestnet(t, 1);
  const { log, bounds, heard } = await postThrough(t, testnet.nodes[0]!.url(), 2, [
    'plain-post',
    'join-hello',
  ]);
  assert.deepEqual(log, ['post 1', 'pay room-post', 'post 2', 'pay room-post']);
  assert.deepEqual(bounds, ['{"data":{"n":1}}', '{"data":{"n":2}}']);
  assert.deepEqual(heard, [{ n: 1 }, { n: 2 }]);
});
