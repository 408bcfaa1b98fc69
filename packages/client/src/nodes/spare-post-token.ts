import type { PowOffer } from '@sigmesh/protocol';
import type { PowSolver } from '../pow/pow-solver.js';

/**
 * The most a spare may cost (expected hashes): above it (a node raising its price under load) a
 * post is paid when it is made, so no CPU goes to a post the client may never send.
 */
export const MAX_SPARE_DIFFICULTY = 1 << 16;

/**
 * The next post's proof-of-work, solved as soon as its challenge is known, on a node that lets a
 * post's proof bind the room hash instead of the body (`room-bound-posts`): a post then waits for
 * no payment, so an offer or an answer leaves as soon as it is made. One spare at a time (posts
 * to a node go one after another, each paying the challenge the previous answer offered).
 */
export class SparePostToken {
  readonly #solver: PowSolver;
  readonly #bound: Uint8Array;
  readonly #signal: AbortSignal;
  #offer: PowOffer | undefined;
  #token: Promise<string | undefined> | undefined;

  constructor(solver: PowSolver, bound: Uint8Array, signal: AbortSignal) {
    this.#solver = solver;
    this.#bound = bound;
    this.#signal = signal;
  }

  /** Starts solving `offer` (replacing an unused spare) when it costs at most the cap. */
  prepare(offer: PowOffer | undefined): void {
    this.#offer = undefined;
    this.#token = undefined;
    if (offer === undefined || offer.difficulty > MAX_SPARE_DIFFICULTY || this.#signal.aborted)
      return;
    this.#offer = offer;
    // A failed spare (the session closed, the worker died) just means paying at the post.
    this.#token = this.#solver.pay(offer, this.#bound, this.#signal).catch(() => undefined);
  }

  /**
   * The token solved for `offer`, waiting for it if still being solved, or undefined when none
   * was prepared for that offer. Taken: a token buys one request.
   */
  async take(offer: PowOffer | undefined): Promise<string | undefined> {
    const token = offer !== undefined && offer === this.#offer ? this.#token : undefined;
    this.#offer = undefined;
    this.#token = undefined;
    return token;
  }
}
