import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { deriveRoomHash } from '@sigmesh/protocol';
import type { DialectFactory } from '../../../src/dialects/dialect.js';
import type { NodeOptions } from '../../../src/index.js';
import type { RoomRegistry } from '../../../src/rooms/room-registry.js';
import { joinRoom } from '../../helpers/room-client.js';
import { startTestnet } from '../../helpers/test-testnet.js';
import { waitFor } from '../../helpers/wait-for.js';

// A member that joins and speaks in the same turn of the event loop (a dialect peer announcing):
// other nodes take messages only from members their owner lists, so the owner's roster must leave
// before the message.

const room = deriveRoomHash('mesh-test', 'join-then-publish');

/** A dialect that only hands the test each node's room registry. */
function captureRegistries(registries: RoomRegistry[]): DialectFactory {
  return (ctx) => {
    registries.push(ctx.rooms);
    return {
      name: 'capture',
      title: 'capture',
      paths: [],
      handleUpgrade: () => undefined,
      stop: () => undefined,
      stats: () => ({ connections: 0, counters: {} }),
    };
  };
}

/** A member served inside the node (as a dialect's), joined and announced. */
function insideMember(rooms: RoomRegistry) {
  const member = rooms.join(room, 'inside', {
    kind: 'events',
    message: () => undefined,
    presence: () => undefined,
  });
  rooms.announceJoin(member);
  return member;
}

/** Two nodes with a member each in the room, linked for it; node A's registry in reach. */
async function linkedPair(t: TestContext, nodeOptions: NodeOptions = {}) {
  const registries: RoomRegistry[] = [];
  const net = await startTestnet(t, {
    nodes: 2,
    nodeOptions: { ...nodeOptions, dialects: [captureRegistries(registries)] },
  });
  const [a, b] = net.nodes;
  const onA = await joinRoom(a!.url(), room);
  const onB = await joinRoom(b!.url(), room);
  t.after(() => [onA, onB].forEach((m) => m.close()));
  await waitFor(() => onB.view().has(onA.peerId), 'the two nodes linked for the room');
  return { rooms: registries[0]!, onB, b: b! };
}

test('a member’s first message, sent in the turn it joined, reaches members on other nodes', async (t) => {
  const { rooms, onB, b } = await linkedPair(t);
  const member = insideMember(rooms);
  rooms.publish(room, member.peerId, 'first words');
  await waitFor(
    () => onB.messages().some((m) => m.data === 'first words'),
    'the message on the other node',
  );
  assert.equal(b.meshStats().messagesRefused, 0);
});

test('in a large room whose roster deltas are paced, a newcomer’s first message is not refused', async (t) => {
  // A room of more than one member per node is "large"; its deltas wait 10 s after each other.
  const { rooms, onB, b } = await linkedPair(t, {
    presenceBatchMembers: 1,
    presenceIntervalMs: 10_000,
  });
  const second = insideMember(rooms);
  await waitFor(
    () => onB.view().has(second.peerId),
    'the first change after a quiet spell at once',
  );
  const newcomer = insideMember(rooms);
  await sleep(300); // its delta is held now (for 10 s)
  assert.equal(onB.view().has(newcomer.peerId), false, 'held');
  rooms.publish(room, newcomer.peerId, 'hello from a newcomer');
  await waitFor(
    () => onB.messages().some((m) => m.data === 'hello from a newcomer'),
    'the message on the other node, well before the hold ends',
    5_000,
  );
  assert.ok(onB.view().has(newcomer.peerId), 'announced with its message');
  assert.equal(b.meshStats().messagesRefused, 0);
});
