import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { deriveRoomHash } from '@sigmesh/protocol';
import { hostileLink, phantomPeers } from '../../helpers/hostile-node.js';
import { joinRoom } from '../../helpers/room-client.js';
import { startTestNode } from '../../helpers/test-node.js';
import { waitFor } from '../../helpers/wait-for.js';

// Fuzzing regression (mesh-frames and room-post targets): JSON.parse takes data nested 30,000
// levels deep (60 KB, under --mesh-max-frame-bytes), parseMeshFrame took it, and JSON.stringify —
// writing the message to the room's members — threw RangeError inside the WebSocket message
// handler: an uncaught exception, the node process gone. One frame from any linked node.

const room = deriveRoomHash('app', 'deep');

test('a message frame nesting its data 30,000 levels deep is refused, and the node carries on', async (t) => {
  const node = await startTestNode(t);
  const bob = await joinRoom(node.url(), room);
  t.after(() => bob.close());
  const hostile = await hostileLink(node.url());
  t.after(() => hostile.ws.close());
  hostile.share(room);
  const [puppet] = phantomPeers(1);
  hostile.owner().roster(room, [puppet!]);
  await waitFor(() => bob.view().has(puppet!), 'the puppet member in bob’s view');

  const frame = (data: string): string =>
    `{"t":"message","id":"${randomBytes(16).toString('hex')}","room":"${room}","from":"${puppet}","hops":0,"data":${data}}`;
  const deep = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
  // The frame is sent as text: JSON.stringify on our side could not have built it either.
  hostile.ws.send(frame(deep));
  hostile.ws.send(frame('"after"'));
  await waitFor(() => bob.messages().length > 0, 'the next message from the same node');
  assert.deepEqual(
    bob.messages().map((m) => m.data),
    ['after'],
  );
  assert.equal(hostile.ws.readyState, hostile.ws.OPEN, 'one bad frame costs points, not the link');
});
