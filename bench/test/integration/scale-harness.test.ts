// The scale bench of issue 15 (bench/scale/) on a tiny network, so the harness cannot rot: 6 real
// nodes in 2 host processes plus a churn host on a loopback DHT child, small rooms, a popular
// room, rendezvous and a short churn phase with one host killed without a goodbye. It checks the
// result's shape, that every count is there and consistent, and what a user would notice:
// members of rooms that came together get every post, and members on surviving nodes keep
// getting posts while nodes churn. Speed is not asserted (docs/scaling.md has the figures).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stopAllChildren } from '../../lib/child-process.js';
import { runScale } from '../../scale/scale-run.js';

test(
  'scale harness: 6 nodes on 3 processes — per-node counts, rooms delivered, rendezvous, churn',
  { timeout: 120_000 },
  async (t) => {
    t.after(stopAllChildren);
    const result = await runScale({
      nodes: 6,
      dhtNodes: 8,
      nodesPerHost: 2,
      timeScale: 10,
      settleS: 1,
      windowS: 3,
      smallRoomsPerNode: 0.5,
      popularShare: 1,
      posts: 2,
      rendezvousTrials: 2,
      rendezvousConcurrency: 2,
      convergeWaitMs: 20_000,
      churn: {
        percentPerMinute: 300,
        minutes: 0.15,
        poolNodes: 2,
        hostNodes: 2,
        postEveryMs: 250,
        healMs: 3_000,
      },
    });
    const { withRooms, smallRooms, popularRoom, rendezvous, churn } = result;
    assert.ok(withRooms && smallRooms && popularRoom && rendezvous && churn, 'every part ran');
    assert.equal(result.nodes, 6);
    assert.equal(result.bootstrapped, 6);
    for (const window of [result.idle, withRooms]) {
      assert.equal(window.nodes, 6, 'every node read at both ends of the window');
      assert.ok(window.links.max >= window.links.mean);
      assert.ok(window.cpuSecondsPerNodeMin > 0);
      assert.ok(window.routingTable > 0);
      const byType = Object.values(window.meshFramesByTypePerNodeMin).reduce((a, b) => a + b, 0);
      assert.ok(
        Math.abs(byType - window.meshFramesSentPerNodeMin) <= 0.5,
        'frames by type add up to the frames sent',
      );
    }
    // Rooms on several nodes need links, announces and lookups, and presence on the links.
    assert.ok(withRooms.links.mean >= 1);
    assert.ok(withRooms.dhtMessagesPerNodeMin.mean > 0);
    assert.ok((withRooms.meshFramesByTypePerNodeMin.beats ?? 0) > 0);
    assert.ok(result.idleMemoryPerNode.heapUsedMiB > 0);

    for (const rooms of [smallRooms, popularRoom]) {
      assert.equal(rooms.converged, rooms.rooms, 'every room came together');
      assert.equal(rooms.posts, rooms.rooms * 2);
      assert.equal(rooms.expected, 2 * (rooms.members - rooms.rooms));
      assert.equal(rooms.delivered, rooms.expected, 'every member got every post');
      assert.equal(rooms.latencyMs.count, rooms.delivered);
    }
    assert.equal(smallRooms.rooms, 3);
    assert.equal(popularRoom.nodes, 6);
    assert.equal(popularRoom.sameNodeLatencyMs.count, 2, 'the witness heard both posts');
    assert.equal(rendezvous.failed, 0);
    assert.equal(rendezvous.ms.count, 2);

    assert.equal(churn.nodesReplaced, 2);
    assert.equal(churn.killedWithoutGoodbye, 2, 'the first replacement is a SIGKILL');
    assert.ok(churn.posts > 10);
    assert.ok(churn.stable.expected > 0);
    assert.equal(churn.stable.delivered, churn.stable.expected, 'survivors got every post');
  },
);
