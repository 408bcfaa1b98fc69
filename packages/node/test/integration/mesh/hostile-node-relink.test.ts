import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveRoomHash } from '@sigmesh/protocol';
import { createEphemeralIdentity } from '../../../src/index.js';
import {
  hostileLink,
  phantomPeers,
  randomNonce,
  type HostileLink,
} from '../../helpers/hostile-node.js';
import { joinRoom } from '../../helpers/room-client.js';
import { startTestNode } from '../../helpers/test-node.js';
import { waitFor } from '../../helpers/wait-for.js';

// One link per pair of nodes: between two links dialed by the same node, the one with the lower
// hello nonce stays (duplicate-links.ts), and the dialer picks its nonces. A hostile node can so
// replace its own link as often as it likes; each replaced link must leave nothing behind in the
// presence state (routes, owner and member budgets), or it would be held for as long as the
// owners it brought live (docs/protocol.md § One link per pair).

const room = deriveRoomHash('app', 'relinked');
const SWAPS = 12;

test('a node re-linking with ever lower nonces leaves no state of the links it replaced', async (t) => {
  const node = await startTestNode(t, { maxStreamsPerAddress: 100 });
  const watcher = await joinRoom(node.url(), room);
  t.after(() => watcher.close());
  const identity = createEphemeralIdentity();
  const nonces = Array.from({ length: SWAPS }, randomNonce).sort().reverse();
  let previous: HostileLink | undefined;
  for (const [index, nonce] of nonces.entries()) {
    const link = await hostileLink(node.url(), { identity, nonce });
    t.after(() => link.ws.close());
    if (previous !== undefined)
      await previous.closedWithin(5_000).catch((error: unknown) => {
        throw new Error(`link ${index - 1} was not replaced by link ${index}: ${String(error)}`);
      });
    link.share(room);
    await link.frame((f) => f.t === 'anchor', `the node’s anchor on link ${index}`);
    // Each link brings the node itself and a made-up owner (fresh keys are free), each with
    // members: the link's owner and member budgets in use, routes through it.
    link.owner().roster(room, phantomPeers(3));
    link.owner(createEphemeralIdentity()).roster(room, phantomPeers(2));
    await waitFor(
      () => node.meshStats().presenceLinks >= 1 && watcher.view().size >= 5,
      `the members of link ${index}`,
    );
    previous = link;
  }
  const stats = node.meshStats();
  assert.equal(stats.links, 1, 'one link to the hostile node');
  assert.equal(
    stats.presenceLinks,
    1,
    `presence holds state for ${stats.presenceLinks} links after ${SWAPS - 1} swaps`,
  );
  assert.equal(node.meshStats().violations, 0, 'swapping is allowed: nothing to blame');
});
