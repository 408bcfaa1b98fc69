/**
 * Many people behind one address (tabs, an office NAT, a carrier's CGNAT) at once, on nodes with
 * the default prices and per-address caps: 16 people connect (each listens on its inbox: a paid
 * owner join) at the same moment from 127.0.0.1, half on each of two nodes; then eight of them
 * ping and call the other eight across the nodes, all at once, and every call is answered and
 * connects. Each person's paid requests count against its own allowance and, all together,
 * against the address's larger one (docs/security.md § Prices and fairness).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodeDefaults } from '@sigmesh/node';
import type { Call, People } from '../../src/index.js';
import { nextRing, person } from '../helpers/people.js';
import { startMeshTestnet } from '../helpers/testnet.js';
import { nextEvent } from '../helpers/werift-client.js';

const PAIRS = 8;

test(`${PAIRS * 2} people on one address connect at once with default prices; ${PAIRS} calls across two nodes all connect`, async (t) => {
  const net = await startMeshTestnet(t, 2, {
    powBaseDifficulty: nodeDefaults.powBaseDifficulty,
    maxConnectionsPerAddress: nodeDefaults.maxConnectionsPerAddress,
  });
  const [n1, n2] = net.nodes.map((node) => node.url());
  const everyone = await Promise.allSettled(
    Array.from({ length: PAIRS * 2 }, (_, i) =>
      person(t, i < PAIRS ? n1! : n2!, { ringMs: 30_000, missedNotes: false }),
    ),
  );
  const failures = everyone.flatMap((outcome, i) =>
    outcome.status === 'rejected' ? [`person ${i}: ${String(outcome.reason)}`] : [],
  );
  assert.deepEqual(failures, [], 'every person connects');
  const people = everyone.map((outcome) => (outcome as PromiseFulfilledResult<People>).value);
  const callers = people.slice(0, PAIRS);
  const callees = people.slice(PAIRS);

  // Everyone is reachable across the mesh: a signed pong names the callee's node.
  const pongs = await Promise.all(callers.map((caller, i) => caller.ping(callees[i]!.key, 15_000)));
  assert.deepEqual(
    pongs.map((pong) => pong?.nodes),
    callees.map(() => [n2]),
    'every callee answers its caller’s ping',
  );

  // Every caller rings at once; every callee accepts; each pair meets in its call's room.
  const rings = callees.map((callee) => nextRing(callee, 30_000));
  // Settled apart, so a call that fails while the accepts are awaited is reported with its pair
  // (not as an unhandled rejection naming neither).
  const calling = Promise.allSettled(callers.map((caller, i) => caller.call(callees[i]!.key)));
  const accepted = await Promise.all(rings.map(async (ring) => (await ring).accept()));
  const outcomes = await calling;
  assert.deepEqual(
    outcomes.flatMap((outcome, i) =>
      outcome.status === 'rejected' ? [`call ${i}: ${String(outcome.reason)}`] : [],
    ),
    [],
    'every call is answered',
  );
  const placed = outcomes.map((outcome) => (outcome as PromiseFulfilledResult<Call>).value);
  const calls: Call[] = [...accepted, ...placed];
  t.after(() => calls.forEach((call) => call.hangUp()));
  assert.deepEqual(
    placed.map((call) => call.peer),
    callees.map((callee) => callee.key),
  );
  await Promise.all(placed.map((call) => nextEvent(call.room, 'peer-join', 30_000)));
  const got = accepted.map((call) => nextEvent(call.room, 'message', 15_000));
  await Promise.all(placed.map((call, i) => call.room.send({ pair: i })));
  assert.deepEqual(
    (await Promise.all(got)).map(([data]) => data),
    placed.map((_, i) => ({ pair: i })),
    'each callee hears its own caller',
  );
});
