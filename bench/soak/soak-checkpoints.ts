// Checkpoints of a soak run: churn paused, every node's memory after a full GC, and every member's
// view compared with its room's truth until they agree (bench/soak/soak-run.ts).
import { round } from '../lib/bench-report.js';
import type { CheckpointResult } from './soak-summary.js';
import type { SoakCluster } from './soak-cluster.js';
import { nowMs } from './soak-member.js';
import type { SoakOptions } from './soak-run.js';

/** Node 0 writes a heap snapshot into `dir`. */
export async function snapshot(
  cluster: SoakCluster,
  dir: string,
  label: string,
  log: (line: string) => void,
): Promise<void> {
  const { file } = await cluster.nodes[0]!.child.call<{ file: string }>(
    { type: 'heapSnapshot', file: `${dir}/node0-${label}.heapsnapshot` },
    300_000,
  );
  log(`heap snapshot of node 0 → ${file}`);
}

/** Pauses (or resumes) churn everywhere; resolves when no replacement join is in flight. */
export async function pauseChurn(cluster: SoakCluster, paused: boolean): Promise<void> {
  await Promise.all(
    cluster.generators.map((generator) => generator.call({ type: 'churn', paused })),
  );
}

/**
 * With churn paused: reads every node's heap after a full collection, then compares every open
 * member's view (from its presence events) with the room's truth (who the generators hold),
 * again every second until they agree or `convergeTimeoutMs` passes.
 */
export async function checkpoint(
  cluster: SoakCluster,
  options: SoakOptions,
  label: string,
  log: (line: string) => void,
  since: () => number,
): Promise<CheckpointResult> {
  const started = nowMs();
  const at = started;
  const shown = since();
  const heaps = await Promise.all(cluster.nodes.map((node) => node.sample({ gc: true })));
  // Presence sent just before the pause is still on its way (a hop, a turn): compare after 1 s.
  await sleep(Math.max(0, 1000 - (nowMs() - started)));
  let first: ViewCheck | undefined;
  let last: ViewCheck;
  for (;;) {
    last = await checkViews(cluster);
    first ??= last;
    if (last.mismatched === 0 || nowMs() - started > options.convergeTimeoutMs) break;
    await sleep(1000);
  }
  // Views that never agreed: what each node's mesh holds for those rooms, to tell a stale roster
  // (the ghost is in a node's mesh view) from a registry that drifted (it is not).
  const diagnosis: Record<string, unknown>[] = [];
  for (const example of last.mismatched === 0 ? [] : last.examples.slice(0, 3)) {
    const room = String(example.room);
    diagnosis.push({
      room,
      extra: example.extra,
      missing: example.missing,
      meshViews: await Promise.all(
        cluster.nodes.map(
          async (node) =>
            (await node.child.call<{ members: string[] }>({ type: 'remoteMembers', room })).members,
        ),
      ),
    });
  }
  const result: CheckpointResult = {
    at,
    label,
    heapAfterGcMiB: heaps.map((h) => round(h.memory.heapUsed / 2 ** 20, 2)),
    externalAfterGcMiB: heaps.map((h) => round(h.memory.external / 2 ** 20, 2)),
    rssAfterGcMiB: heaps.map((h) => round(h.memory.rss / 2 ** 20, 1)),
    checked: last.checked,
    firstMismatched: first.mismatched,
    mismatched: last.mismatched,
    convergedAfterMs: last.mismatched === 0 ? round(nowMs() - started, 0) : null,
    durationMs: round(nowMs() - started, 0),
    firstExamples: first.examples.slice(0, 5),
    examples: last.examples.slice(0, 5),
    ...(diagnosis.length === 0 ? {} : { diagnosis }),
  };
  log(
    `checkpoint ${label} t=${shown} s: ${result.checked} views, ${result.firstMismatched} differed at first, ${result.mismatched} after ${round((nowMs() - started) / 1000, 1)} s; heap + external after GC ${result.heapAfterGcMiB.map((h, i) => (h + result.externalAfterGcMiB[i]!).toFixed(1)).join('/')} MiB`,
  );
  return result;
}

export interface ViewCheck {
  checked: number;
  mismatched: number;
  examples: Record<string, unknown>[];
}

export async function checkViews(cluster: SoakCluster): Promise<ViewCheck> {
  const pieces = await Promise.all(
    cluster.generators.map((generator) =>
      generator.call<{ rooms: Record<string, [string, number][]> }>({ type: 'truth' }),
    ),
  );
  const truth: Record<string, string[]> = {};
  const nodeOf = new Map<string, number>();
  for (const { rooms } of pieces)
    for (const [room, list] of Object.entries(rooms))
      for (const [peer, node] of list) {
        (truth[room] ??= []).push(peer);
        nodeOf.set(peer, node);
      }
  const answers = await Promise.all(
    cluster.generators.map((generator) =>
      generator.call<{ checked: number; mismatched: number; examples: Record<string, unknown>[] }>({
        type: 'check',
        truth,
      }),
    ),
  );
  const examples = answers
    .flatMap((a) => a.examples)
    .map((example) => ({
      ...example,
      missingOnNodes: (example.missing as string[]).map((peer) => nodeOf.get(peer) ?? -1),
    }));
  return {
    checked: answers.reduce((sum, a) => sum + a.checked, 0),
    mismatched: answers.reduce((sum, a) => sum + a.mismatched, 0),
    examples,
  };
}

/** Waits until the generators have read nothing more for 2 s (at most 20 s): messages in flight land. */
export async function drain(cluster: SoakCluster): Promise<void> {
  let last = -1;
  let stableSince = nowMs();
  const end = nowMs() + 20_000;
  while (nowMs() < end) {
    const reads = await Promise.all(
      cluster.generators.map(
        async (generator) =>
          (await generator.call<{ counters: { messagesRead: number } }>({ type: 'sample' }))
            .counters.messagesRead,
      ),
    );
    const total = reads.reduce((a, b) => a + b, 0);
    if (total !== last) {
      last = total;
      stableSince = nowMs();
    } else if (nowMs() - stableSince >= 2_000) return;
    await sleep(250);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
