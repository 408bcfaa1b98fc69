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
  readonly pool: NodePool;
  readonly solver: PowSolver;
  readonly spare: SpareJoin;
  /** Sessions that count towards k now (not on a node that said bye). */
  active(): number;
  /** URLs of every session open now, leaving ones included (never joined twice). */
  joinedUrls(): Set<string>;
  stopped(): boolean;
  /** Joins one node (with a pre-paid token for a spare); rejects when it refuses or fails. */
  join(node: ProbedNode, prepaid?: string): Promise<void>;
}

/**
 * Joins ranked nodes until k sessions are active or the candidates run out: a pre-paid spare
 * first, then (with none joined) the quickest configured node at once while the rest are
 * ranked, then the cheapest others, and keeps the next one as a pre-paid spare. Rejects with
 * the joins' failures only when no session is active in the end.
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
  let early: Promise<void> | undefined;
  if (ctx.active() === 0 && ctx.k > 0) {
    const quick = await ctx.pool.rank(joining, undefined, true).catch(() => []);
    const first = quick[0];
    if (first !== undefined) {
      joining.add(first.url);
      early = ctx.join(first).catch((error: unknown) => failed(first.url, error));
    }
  }
  // With a join already under way, running out of other nodes is not a failure.
  let ranked: ProbedNode[] = [];
  try {
    ranked = await ctx.pool.rank(joining);
  } catch (error) {
    if (early === undefined) throw error;
  }
  let earlyPending = early !== undefined;
  void early?.finally(() => (earlyPending = false));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (
      ctx.active() + (earlyPending ? 1 : 0) < ctx.k &&
      next < ranked.length &&
      !ctx.stopped()
    ) {
      const node = ranked[next++]!;
      try {
        await ctx.join(node);
      } catch (error) {
        failed(node.url, error);
      }
    }
  };
  await Promise.all([...Array.from({ length: missing - (early ? 1 : 0) }, worker), early]);
  // The early join failed while no other join was running: try the ranked nodes too.
  const short = ctx.k - ctx.active();
  if (short > 0 && next < ranked.length) await Promise.all(Array.from({ length: short }, worker));
  const reserve = ranked.slice(next).find((node) => !ctx.joinedUrls().has(node.url));
  if (reserve !== undefined && !ctx.stopped()) ctx.spare.prepare(reserve, ctx.room, ctx.solver);
  if (ctx.active() === 0 && failures.length > 0) throw joinFailure(failures);
}
