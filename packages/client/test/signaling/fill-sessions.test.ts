import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sigmeshError, type RoomHash } from '@sigmesh/protocol';
import type { ProbedNode } from '../../src/nodes/node-pool.js';
import type { PowSolver } from '../../src/pow/pow-solver.js';
import { fillSessions, type FillContext } from '../../src/signaling/fill-sessions.js';

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

function probed(url: string): ProbedNode {
  return {
    url,
    info: {
      node: { id: 'a'.repeat(64), version: '0', publicUrl: url },
      pow: { price: 2000, ttl: 60 },
      load: { cpu: 0, mem: 0, smoothed: 0 },
      limits: { maxMessageBytes: 1024 },
    },
    rttMs: 1,
    costMs: 25,
  };
}

/**
 * A room being filled: `quick` is what the quick rank (configured nodes) finds, `others` what the
 * full rank finds. Joins and settling resolve only when the test says so; `log` says what
 * happened, in order.
 */
function room(
  k: number,
  quick: readonly string[],
  others: readonly string[],
): {
  ctx: FillContext;
  log: string[];
  finishJoin: (url: string, error?: Error) => void;
  settle: () => void;
} {
  const log: string[] = [];
  const active = new Set<string>();
  const joins = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();
  let settled: (() => void) | undefined;
  const ctx: FillContext = {
    k,
    room: 'ab'.repeat(20) as RoomHash,
    pool: {
      rank: (exclude, _signal, fast) => {
        log.push(fast ? 'rank quick' : 'rank all');
        const urls = (fast ? quick : [...quick, ...others]).filter((url) => !exclude.has(url));
        return Promise.resolve(urls.map(probed));
      },
      avoid: (url) => log.push(`avoid ${url}`),
      avoided: () => false,
    },
    solver: {} as PowSolver,
    spare: {
      take: () => Promise.resolve(undefined),
      prepare: (node) => log.push(`spare ${node.url}`),
    },
    active: () => active.size,
    joinedUrls: () => new Set(active),
    stopped: () => false,
    settle: () => {
      log.push('settle');
      return new Promise((resolve) => (settled = resolve));
    },
    join: (node) => {
      log.push(`join ${node.url}`);
      return new Promise((resolve, reject) =>
        joins.set(node.url, {
          resolve: () => {
            active.add(node.url);
            resolve();
          },
          reject,
        }),
      );
    },
  };
  return {
    ctx,
    log,
    finishJoin: (url, error) => {
      const join = joins.get(url);
      assert.ok(join, `${url} was never joined`);
      if (error === undefined) join.resolve();
      else join.reject(error);
    },
    settle: () => settled?.(),
  };
}

test('the redundant joins wait until the first join is complete and settled', async () => {
  const r = room(2, ['n1'], ['n2', 'n3']);
  const filled = fillSessions(r.ctx);
  await tick();
  // The first node alone: nothing else is probed or paid while it joins.
  assert.deepEqual(r.log, ['rank quick', 'join n1']);
  r.finishJoin('n1');
  await tick();
  assert.deepEqual(r.log, ['rank quick', 'join n1', 'settle']);
  r.settle();
  await tick();
  assert.deepEqual(r.log.slice(3), ['rank all', 'join n2']);
  r.finishJoin('n2');
  await filled;
  // The next ranked node is kept as a pre-paid spare.
  assert.deepEqual(r.log.slice(5), ['spare n3']);
});

test('a first join that fails is replaced at once, without waiting to settle', async () => {
  const r = room(2, ['n1'], ['n2', 'n3']);
  const filled = fillSessions(r.ctx);
  await tick();
  r.finishJoin('n1', sigmeshError('ROOM_FULL', 'full'));
  await tick();
  assert.deepEqual(r.log, ['rank quick', 'join n1', 'avoid n1', 'rank all', 'join n2', 'join n3']);
  r.finishJoin('n2');
  r.finishJoin('n3');
  await filled;
  assert.ok(!r.log.includes('settle'));
});

test('with k = 1 the first join is all: nothing else is probed', async () => {
  const r = room(1, ['n1'], ['n2']);
  const filled = fillSessions(r.ctx);
  await tick();
  r.finishJoin('n1');
  await filled;
  assert.deepEqual(r.log, ['rank quick', 'join n1']);
});

test('every join failing rejects with their failures', async () => {
  const r = room(2, ['n1'], ['n2']);
  const filled = fillSessions(r.ctx);
  await tick();
  r.finishJoin('n1', sigmeshError('ROOM_FULL', 'full'));
  await tick();
  r.finishJoin('n2', sigmeshError('ROOM_FULL', 'full'));
  await assert.rejects(filled, (error: { code?: string }) => error.code === 'ROOM_FULL');
});
