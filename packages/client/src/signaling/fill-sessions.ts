import type { RoomHash } from '@sigmesh/protocol';
import { asSigmeshError, joinFailure, type NodeFailure } from '../nodes/join-failure.js';
import type { NodePool, ProbedNode } from '../nodes/node-pool.js';
import type { PowSolver } from '../pow/pow-solver.js';
import type { SpareJoin } from './spare-join.js';

/** What {@link fillSessions} reads from and does through the room's signaling. */
export interface FillContext {
  /** How many nodes to be joined on. */
  readonly k: number;
  readonly room: RoomHash;
  readonly pool: Pick<NodePool, 'rank' | 'avoid' | 'avoided'>;
  readonly solver: PowSolver;
  readonly spare: Pick<SpareJoin, 'take' | 'prepare'>;
  /** Sessions that count towards k now (not on a node that said bye). */
  active(): number;
  /** URLs of every session open now, leaving ones included (never joined twice). */
  joinedUrls(): Set<string>;
  stopped(): boolean;
  /**
   * Resolves when the redundant joins may start after a first one (see
   * {@link REDUNDANT_JOIN_DELAY_MS}).
   */
  settle(): Promise<void>;
  /**
   * Joins one node (with a pre-paid token for a spare); resolves once the join is complete (its
   * hello posted, its TURN credentials in), rejects when it refuses or fails.
   */
  join(node: ProbedNode, prepaid?: string): Promise<void>;
}

/**
 * How long after a first join is complete the redundant ones (nodes 2..k) start. Ranking them
 * probes every node learned at `/nodes`, and each join pays PoW and posts a hello and a `/token`:
 * done at once, that work competed with the first join, and with the first connections to peers
 * that follow it, for the page's CPU, the PoW worker and the nodes (docs/performance.md § Page
 * load → data channel open). The peers already in the room reach us through the first node
 * meanwhile; losing it within this time re-joins as any loss does.
 */
export const REDUNDANT_JOIN_DELAY_MS = 1000;

/**
 * Joins ranked nodes until k sessions are active or the candidates run out: a pre-paid spare
 * first; with none joined, the quickest configured node alone, and the others only once that
 * join is complete (its hello posted, its TURN credentials in) and `settle()` says so: the
 * cheapest of them, keeping the next one as a pre-paid spare. Rejects with the joins' failures
 * only when no session is active in the end.
 */
export async function fillSessions(ctx: FillContext): Promise<void> {
  const missing = ctx.k - ctx.active();
  if (missing <= 0 || ctx.stopped()) return;
  const spare = await ctx.spare.take((url) => !ctx.joinedUrls().has(url) && !ctx.pool.avoided(url));
  if (spare !== undefined) {
    try {
      await ctx.join(spare.node, spare.token);
      if (ctx.active() >= ctx.k) return;
    } catch {
      ctx.pool.avoid(spare.node.url);
    }
  }
  const failures: NodeFailure[] = [];
  const failed = (url: string, error: unknown): void => {
    ctx.pool.avoid(url);
    failures.push({ url, error: asSigmeshError(error) });
  };
  const joining = ctx.joinedUrls();
  let triedFirst = false;
  if (ctx.active() === 0) {
    const quick = await ctx.pool.rank(joining, undefined, true).catch(() => []);
    const first = quick[0];
    if (first !== undefined) {
      triedFirst = true;
      joining.add(first.url);
      await ctx.join(first).catch((error: unknown) => failed(first.url, error));
      if (ctx.active() >= ctx.k || ctx.stopped()) return;
      if (ctx.active() > 0) await ctx.settle();
      if (ctx.stopped()) return;
    }
  }
  // With the first node tried, running out of other nodes is not a failure of its own.
  let ranked: ProbedNode[] = [];
  try {
    ranked = await ctx.pool.rank(joining);
  } catch (error) {
    if (!triedFirst) throw error;
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (ctx.active() < ctx.k && next < ranked.length && !ctx.stopped()) {
      const node = ranked[next++]!;
      try {
        await ctx.join(node);
      } catch (error) {
        failed(node.url, error);
      }
    }
  };
  await Promise.all(Array.from({ length: ctx.k - ctx.active() }, worker));
  const reserve = ranked.slice(next).find((node) => !ctx.joinedUrls().has(node.url));
  if (reserve !== undefined && !ctx.stopped()) ctx.spare.prepare(reserve, ctx.room, ctx.solver);
  if (ctx.active() === 0 && failures.length > 0) throw joinFailure(failures);
}
