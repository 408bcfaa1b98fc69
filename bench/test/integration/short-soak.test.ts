// The soak of issue 11 in CI, short: 3 node processes, 300 members in 61 rooms spread over all
// three (40 of them rooms of 3, one member per node, so churn closes and reopens rooms on nodes:
// the case that lost messages and left ghosts before the mesh fix), 45 s of posts (broadcast and
// addressed) and churn (20 %/min), and the same checks as the full soak (bench/soak/soak.ts,
// docs/performance.md § Soak): every post reaches every member owed it, presence views converge to
// the truth, nobody is cut, no node warns, and heap + external memory after a full GC does not
// climb. It asserts behaviour, not speed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fullSoakDefaults, runSoak } from '../../soak/soak-run.js';

interface ShortSoak {
  setup: { membersOpened: number; joinFailures: number };
  deliveries: {
    posts: { accepted: number; refused: Record<string, number>; addressed: number };
    expected: number;
    delivered: number;
    lost: number;
    duplicates: number;
    misdelivered: number;
    unknownPosts: number;
    crossNode: { expected: number; delivered: number };
    lostExamples: unknown[];
  };
  presence: { checkpoints: number; mismatchedAfterConvergence: number; viewsCheckedLast: number };
  churn: { leaves: number; joinsDuringTraffic: number };
  cuts: { slowConsumersCutByNodes: number; streamsClosedByNodes: number; foreignMessages: number };
  memoryTrend: { retainedAfterGc?: { slopeMiBPerMin: number; samples: number } }[];
  nodeWarnings: number;
  firstWarnings: string[][];
  checkpoints: unknown[];
}

test(
  'short soak: 300 members on 3 node processes, 45 s of posts and churn — nothing lost, presence converged, memory flat',
  { timeout: 240_000 },
  async (t) => {
    const result = (await runSoak({
      ...fullSoakDefaults,
      nodes: 3,
      generators: 2,
      layout: '1x60,20x6,40x3',
      durationS: 45,
      warmupS: 20,
      postsPerSecond: 30,
      churnPerMinute: 0.2,
      sampleEveryS: 5,
      checkpointEveryS: 5,
      dhtNodes: 10,
      // The dedupe set cycles every ~35 s at this rate, so its filling does not pass for a slope.
      nodeOptions: { meshDedupeSize: 2_000 },
      log: () => undefined,
    })) as unknown as ShortSoak;

    t.diagnostic(
      JSON.stringify({
        owed: result.deliveries.expected,
        lost: result.deliveries.lost,
        churned: result.churn.leaves,
        retainedSlopes: result.memoryTrend.map((m) => m.retainedAfterGc?.slopeMiBPerMin),
      }),
    );
    assert.equal(result.setup.membersOpened, 300);
    assert.equal(result.setup.joinFailures, 0);
    const d = result.deliveries;
    // The traffic ran: about 1,350 posts, each owed to the other members of its room.
    assert.ok(d.posts.accepted > 1_000, `${d.posts.accepted} posts accepted`);
    assert.ok(d.posts.addressed > 100, `${d.posts.addressed} addressed posts`);
    assert.ok(d.expected > 3_000, `${d.expected} deliveries owed`);
    assert.ok(d.crossNode.expected > d.expected / 2, 'most deliveries crossed the mesh');
    assert.deepEqual(
      {
        lost: d.lost,
        duplicates: d.duplicates,
        misdelivered: d.misdelivered,
        unknown: d.unknownPosts,
      },
      { lost: 0, duplicates: 0, misdelivered: 0, unknown: 0 },
      JSON.stringify(d.lostExamples.slice(0, 3)),
    );
    assert.equal(d.delivered, d.expected);
    // A post may be refused only because its addressee left meanwhile.
    for (const code of Object.keys(d.posts.refused)) assert.equal(code, 'ROOM_PEER_NOT_FOUND');

    // Churn happened, and every member's view matched the room at every checkpoint.
    assert.ok(result.churn.leaves >= 30, `${result.churn.leaves} members left`);
    assert.ok(result.churn.joinsDuringTraffic >= result.churn.leaves - 2);
    assert.ok(result.presence.checkpoints >= 6);
    assert.equal(result.presence.viewsCheckedLast, 300);
    assert.equal(result.presence.mismatchedAfterConvergence, 0, JSON.stringify(result.checkpoints));

    assert.equal(result.cuts.slowConsumersCutByNodes, 0);
    assert.equal(result.cuts.streamsClosedByNodes, 0);
    assert.equal(result.cuts.foreignMessages, 0);
    assert.equal(result.nodeWarnings, 0, JSON.stringify(result.firstWarnings));

    // Heap + external memory after a full GC, at the checkpoints after warm-up: under 2 MiB/min
    // per node, four times what the bounded caches add while they fill here (a kilobyte Buffer
    // kept per delivery adds about 6).
    for (const [i, trend] of result.memoryTrend.entries()) {
      const retained = trend.retainedAfterGc;
      assert.ok(retained !== undefined && retained.samples >= 4, `node ${i} trend`);
      assert.ok(
        retained.slopeMiBPerMin < 2,
        `node ${i}: heap + external after GC ${retained.slopeMiBPerMin} MiB/min`,
      );
    }
  },
);
