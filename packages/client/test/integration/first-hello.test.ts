/**
 * Issue 13 part 4: the first hello rides in the join on nodes that take it (`join-hello`), for
 * the member id the join's token gives; posts and `/token` go in the plain form (no CORS
 * preflight) on nodes that list `plain-post`; older nodes get the old requests.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { deriveRoomHash, joinMemberId, type MessageEvent, type PeerId } from '@sigmesh/protocol';
import { fetchIceServers } from '../../src/ice-servers.js';
import type { ProbedNode } from '../../src/nodes/node-pool.js';
import { NodeSession, type NodeSessionHandlers } from '../../src/nodes/node-session.js';
import { createPowSolver } from '../../src/pow/pow-solver.js';
import { singleNodePool } from '../helpers/node-pool.js';
import { startMeshTestnet } from '../helpers/testnet.js';
import { joinWithWerift, nextEvent } from '../helpers/werift-client.js';

const room = deriveRoomHash('first-hello-test', 'room');

function handlers(messages: MessageEvent[] = []): NodeSessionHandlers {
  return {
    join: () => undefined,
    leave: () => undefined,
    message: (event) => messages.push(event),
    bye: () => undefined,
    closed: () => undefined,
  };
}

/** Every request this process makes through fetch while the test runs: method, URL, headers. */
function recordFetches(t: TestContext): Array<{ method: string; url: string; headers: Headers }> {
  const seen: Array<{ method: string; url: string; headers: Headers }> = [];
  const original = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    seen.push({
      method: init?.method ?? 'GET',
      url: input instanceof Request ? input.url : String(input),
      headers: new Headers(init?.headers),
    });
    return original(input, init);
  };
  t.after(() => (globalThis.fetch = original));
  return seen;
}

async function probed(t: TestContext, url: string) {
  const solver = createPowSolver();
  t.after(() => solver.close());
  const pool = singleNodePool(url, solver);
  const [node] = await pool.rank(new Set(), undefined, true);
  assert.ok(node);
  return { solver, node };
}

/** The node as an older one would describe itself: no features. */
function older(node: ProbedNode): ProbedNode {
  const info = { ...node.info };
  delete info.features;
  return { ...node, info };
}

const options = { timeoutMs: 10_000, maxDifficulty: 1 << 22 };

test('a hello carried in the join reaches the room from the member id the token gave', async (t) => {
  const testnet = await startMeshTestnet(t, 1);
  const { solver, node } = await probed(t, testnet.nodes[0]!.url());
  const messages: MessageEvent[] = [];
  const alice = await NodeSession.open(node, room, solver, handlers(messages), options);
  t.after(() => alice.close());
  const asked: PeerId[] = [];
  const bob = await NodeSession.open(node, room, solver, handlers(), {
    ...options,
    hello: (memberId) => {
      asked.push(memberId);
      return Promise.resolve(JSON.stringify({ data: { hello: memberId } }));
    },
  });
  t.after(() => bob.close());
  assert.ok(bob.helloCarried);
  // The probe's challenge was spent by alice's join: bob's first attempt is refused, and the
  // hello is signed again for the next token's id.
  assert.equal(asked.at(-1), bob.memberId, 'signed for the id the node then gave');
  for (let wait = 0; wait < 100 && messages.length === 0; wait++)
    await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(
    messages.map(({ from, data }) => ({ from, data })),
    [{ from: bob.memberId, data: { hello: bob.memberId } }],
  );
});

test('no hello in the join on a node that does not list join-hello; nothing carried', async (t) => {
  const testnet = await startMeshTestnet(t, 1);
  const { solver, node } = await probed(t, testnet.nodes[0]!.url());
  const fetches = recordFetches(t);
  let asked = 0;
  const session = await NodeSession.open(older(node), room, solver, handlers(), {
    ...options,
    hello: () => {
      asked++;
      return Promise.resolve('{"data":1}');
    },
  });
  t.after(() => session.close());
  assert.equal(asked, 0);
  assert.equal(session.helloCarried, false);
  assert.ok(fetches.every(({ url }) => !url.includes('hello=')));
});

test('posts and /token go in the plain form (safelisted headers only) to a node that lists plain-post, with headers to one that does not', async (t) => {
  const testnet = await startMeshTestnet(t, 1, { turnAllowPeer: ['127.0.0.0/8'] });
  const url = testnet.nodes[0]!.url();
  const fetches = recordFetches(t);
  for (const plain of [true, false]) {
    // A fresh probe each time: fresh challenges, so no request is refused and paid again.
    const { solver, node } = await probed(t, url);
    const target = plain ? node : older(node);
    fetches.length = 0;
    const session = await NodeSession.open(target, room, solver, handlers(), options);
    t.after(() => session.close());
    await session.post({ n: 1 });
    await fetchIceServers(session, solver, 10_000);
    const posts = fetches.filter(({ method }) => method === 'POST');
    assert.equal(posts.length, 2);
    for (const { headers, url } of posts) {
      const names = [...headers.keys()].sort();
      if (plain) {
        assert.deepEqual(names, ['accept', 'content-type'], url);
        assert.equal(headers.get('content-type'), 'text/plain;charset=UTF-8');
      } else {
        assert.ok(names.includes('authorization') && names.includes('sigmesh-session'), url);
        assert.equal(headers.get('content-type'), 'application/json');
      }
    }
  }
});

test('joinMemberId is what the node assigns to a join without a hello too', async (t) => {
  const testnet = await startMeshTestnet(t, 1);
  const { solver, node } = await probed(t, testnet.nodes[0]!.url());
  const fetches = recordFetches(t);
  const session = await NodeSession.open(node, room, solver, handlers(), options);
  t.after(() => session.close());
  const join = fetches.find(({ url }) => url.includes('?pow='));
  assert.ok(join);
  const token = decodeURIComponent(new URL(join.url).searchParams.get('pow') ?? '');
  assert.equal(session.memberId, joinMemberId(token));
});

test('two clients joining two nodes at once meet with k = 1 (no redundant join to say hello again)', async (t) => {
  // The hellos ride in the joins and must verify as sent. When one leaves before the nodes know
  // they share the room, the presence that follows makes the other client greet
  // (late-hello.ts, unit-tested there: this race is rare in one process, frequent in browsers).
  for (let trial = 0; trial < 3; trial++) {
    const testnet = await startMeshTestnet(t, 2);
    const [n1, n2] = testnet.nodes;
    const room = { appId: 'test', room: `race-${trial}`, turn: false, k: 1 };
    const [a, b] = await Promise.all([
      joinWithWerift(t, { ...room, nodes: [n1!.url()] }),
      joinWithWerift(t, { ...room, nodes: [n2!.url()] }),
    ]);
    const met = await Promise.race([
      Promise.all([nextEvent(a, 'peer-join'), nextEvent(b, 'peer-join')]).then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 8000)),
    ]);
    assert.ok(met, `trial ${trial}: the two clients met`);
    a.leave();
    b.leave();
  }
});

test('probes made ahead (prefetch) are what the first quick rank takes: no second GET /', async (t) => {
  const testnet = await startMeshTestnet(t, 1);
  const url = testnet.nodes[0]!.url();
  const seen = recordFetches(t);
  const solver = createPowSolver();
  t.after(() => solver.close());
  const pool = singleNodePool(url, solver);
  const paths = (): string[] => seen.map((request) => new URL(request.url).pathname);
  pool.prefetch();
  // Asked at once, before anything awaits: the probe and the node list.
  assert.deepEqual(paths().sort(), ['/', '/nodes']);
  const [node] = await pool.rank(new Set(), undefined, true);
  assert.equal(node?.url, url);
  assert.equal(paths().filter((path) => path === '/').length, 1, 'the quick rank asked nothing');
  // Taken once: a later rank probes again (a full one also measures /ip).
  await pool.rank(new Set());
  assert.equal(paths().filter((path) => path === '/').length, 2);
  assert.ok(paths().includes('/ip'));
});
