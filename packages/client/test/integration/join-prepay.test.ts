/**
 * `/token` paid ahead (issue 13): its proof-of-work is solved while the join travels, from the
 * challenge the probe quoted, and the node accepts it with the member's session — the same
 * payment as before, made earlier, not a second one.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { deriveRoomHash, type PowOffer } from '@sigmesh/protocol';
import { fetchIceServers, prepayIceServers } from '../../src/ice-servers.js';
import { NodeMemory } from '../../src/nodes/node-memory.js';
import { NodePool, probedOffer } from '../../src/nodes/node-pool.js';
import { NodeSession, type NodeSessionHandlers } from '../../src/nodes/node-session.js';
import { createPowSolver, type PowSolver } from '../../src/pow/pow-solver.js';
import { startMeshTestnet } from '../helpers/testnet.js';
import { memoryStorage } from '../helpers/werift-client.js';

const quiet: NodeSessionHandlers = {
  join: () => undefined,
  leave: () => undefined,
  message: () => undefined,
  bye: () => undefined,
  closed: () => undefined,
};

/** A solver that logs the scope of every payment it is asked for. */
function loggingSolver(log: string[]): PowSolver {
  const solver = createPowSolver();
  return {
    get hashesPerSecond() {
      return solver.hashesPerSecond;
    },
    close: () => solver.close(),
    pay: (offer: PowOffer, bound, signal) => {
      log.push(`pay ${offer.scope}`);
      return solver.pay(offer, bound, signal);
    },
  };
}

/** The node at `url` probed through a NodePool, with a logging solver closed after the test. */
async function probeFirst(t: TestContext, url: string) {
  const log: string[] = [];
  const solver = loggingSolver(log);
  t.after(() => solver.close());
  const pool = new NodePool({
    nodes: [url],
    memory: new NodeMemory(memoryStorage()),
    solver,
    probeTimeoutMs: 3000,
    maxProbes: 8,
    maxPowDifficulty: 1 << 22,
  });
  const [node] = await pool.rank(new Set(), undefined, true);
  assert.ok(node);
  return { log, solver, node };
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
  // The join's own payment comes first; `paid` once, then the token's, before the welcome.
  assert.deepEqual(log, ['pay room-join', 'paid', 'pay token', 'welcome']);
  const token = await prepaid;
  assert.ok(token !== undefined, 'the probe quoted a /token challenge');
  const ice = await fetchIceServers(session, solver, 10_000, probedOffer(node, 'token'), token);
  assert.ok(ice.iceServers.some((server) => server.urls.some((url) => url.startsWith('turn:'))));
  assert.deepEqual(log.slice(4), [], 'the node took the prepaid token: nothing paid again');
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
  assert.deepEqual(log, []);
});
