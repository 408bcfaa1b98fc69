import { utf8, type RoomHash } from '@sigmesh/protocol';
import { probedOffer, type ProbedNode } from '../nodes/node-pool.js';
import type { PowSolver } from '../pow/pow-solver.js';

/** A pre-solved spare join is dropped this many seconds before its challenge expires. */
const SPARE_MARGIN_S = 15;

/**
 * One node kept in reserve with its room-join challenge already paid: when a joined node dies, the
 * replacement join needs no probe and no PoW, while the challenge from the probe is still valid.
 */
export class SpareJoin {
  #spare: { node: ProbedNode; token: Promise<string>; validUntil: number } | undefined;

  /**
   * Pays the join of `node` (from a probe just made) in the background; nothing when the node
   * quoted no challenge (it refuses us for now).
   */
  prepare(node: ProbedNode, room: RoomHash, solver: PowSolver): void {
    const offer = probedOffer(node, 'room-join');
    if (offer === undefined) return;
    const token = solver.pay(offer, utf8(room));
    token.catch(() => undefined);
    const validUntil = Date.now() + Math.max(0, node.info.pow.ttl - SPARE_MARGIN_S) * 1000;
    this.#spare = { node, token, validUntil };
  }

  /** The spare and its token, once, if still valid and `usable`; undefined otherwise. */
  async take(
    usable: (url: string) => boolean,
  ): Promise<{ node: ProbedNode; token: string } | undefined> {
    const spare = this.#spare;
    this.#spare = undefined;
    if (spare === undefined || Date.now() > spare.validUntil || !usable(spare.node.url))
      return undefined;
    try {
      return { node: spare.node, token: await spare.token };
    } catch {
      return undefined;
    }
  }
}
