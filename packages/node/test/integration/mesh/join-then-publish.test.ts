import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveRoomHash } from '@sigmesh/protocol';
import type { DialectFactory } from '../../../src/dialects/dialect.js';
import type { RoomRegistry } from '../../../src/rooms/room-registry.js';
import { joinRoom } from '../../helpers/room-client.js';
import { startTestnet } from '../../helpers/test-testnet.js';
import { waitFor } from '../../helpers/wait-for.js';

// A member that joins and speaks in the same turn of the event loop (a dialect peer announcing):
// other nodes take messages only from members their owner lists, so the owner's roster must leave
// before the message.

const room = deriveRoomHash('mesh-test', 'join-then-publish');

test('a member’s first message, sent in the turn it joined, reaches members on other nodes', async (t) => {
  const registries: RoomRegistry[] = [];
  const capture: DialectFactory = (ctx) => {
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
  const net = await startTestnet(t, { nodes: 2, nodeOptions: { dialects: [capture] } });
  const [a, b] = net.nodes;
  const onA = await joinRoom(a!.url(), room);
  const onB = await joinRoom(b!.url(), room);
  t.after(() => [onA, onB].forEach((m) => m.close()));
  await waitFor(() => onB.view().has(onA.peerId), 'the two nodes linked for the room');

  const rooms = registries[0]!;
  const member = rooms.join(room, 'inside', {
    kind: 'events',
    message: () => undefined,
    presence: () => undefined,
  });
  rooms.announceJoin(member);
  rooms.publish(room, member.peerId, 'first words');
  await waitFor(
    () => onB.messages().some((m) => m.data === 'first words'),
    'the message on the other node',
  );
  assert.equal(b!.meshStats().messagesRefused, 0);
});
