import type { PowSolver } from './pow-solver.js';

/**
 * One PoW solver (one worker, already warm) used by several owners — a person's inbox and each of
 * its calls' rooms: each takes a reference, and the worker stops when the last one is closed.
 */
export class SharedSolver {
  readonly #solver: PowSolver;
  #references = 0;

  constructor(solver: PowSolver) {
    this.#solver = solver;
  }

  /** A reference: a solver whose `close` gives it back (once). */
  take(): PowSolver {
    this.#references++;
    const solver = this.#solver;
    let closed = false;
    return {
      pay: (offer, bound, signal) => solver.pay(offer, bound, signal),
      get hashesPerSecond() {
        return solver.hashesPerSecond;
      },
      close: () => {
        if (closed) return;
        closed = true;
        if (--this.#references === 0) solver.close();
      },
    };
  }
}
