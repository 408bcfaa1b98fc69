/**
 * Many clients behind one address (browser tabs, an office NAT, a carrier's CGNAT) joining at
 * once, with the nodes' default pricing: every join resolves, and relay-only ones get TURN.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasTurn } from '../../src/ice-servers.js';
import type { Room } from '../../src/index.js';
import { startTestnetProcess } from '../helpers/testnet-process.js';
import { joinWithWerift } from '../helpers/werift-client.js';

const CLIENTS = 12;

test(`${CLIENTS} clients on one address join rooms at once with default prices; every join resolves`, async (t) => {
  // Default pricing options (base 2000 hashes, allowances, cap, load curve); the nodes run in a
  // process of their own, so their load is theirs. Everything connects from 127.0.0.1.
  const urls = await startTestnetProcess(t, 3);
  const outcomes = await Promise.allSettled(
    Array.from({ length: CLIENTS }, (_, index) =>
      joinWithWerift(t, {
        appId: 'shared-address',
        // A room each: no peer connections, so werift never allocates on TURN (its allocation
        // refresh timer would keep the test process alive for minutes after leave()).
        room: `own-${index}`,
        nodes: [urls[index % urls.length]!],
        // Half of them relay-only: joinRoom must also get them TURN credentials.
        ...(index % 2 === 0 ? { iceTransportPolicy: 'relay' as const } : {}),
      }),
    ),
  );
  const failures = outcomes.flatMap((outcome, index) =>
    outcome.status === 'rejected'
      ? [
          `client ${index}: ${(outcome.reason as { code?: string }).code ?? ''} ${(outcome.reason as Error).message}`,
        ]
      : [],
  );
  assert.deepEqual(failures, [], `every join resolves:\n${failures.join('\n')}`);
  const rooms = outcomes.map((outcome) => (outcome as PromiseFulfilledResult<Room>).value);
  rooms.forEach((room, index) => {
    if (index % 2 === 0) assert.ok(hasTurn(room.iceServers), `client ${index} has TURN`);
  });
});
