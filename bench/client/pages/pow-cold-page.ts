// A page with nothing but the client bundle: how long a fresh solver takes to pay its first,
// trivial challenge when nothing in the page has compiled hash-wasm yet (worker start, worker
// script, hash-wasm compile) — the wait before a page's first real PoW can start.
import type * as SigmeshClient from '@sigmesh/client';

/** What the page offers the benchmark on `window.benchCold`. */
export interface PowColdPageApi {
  coldStart(challenge: string, maxMs: number): Promise<number>;
}

const sigmesh = (window as unknown as { sigmesh: typeof SigmeshClient }).sigmesh;
const api: PowColdPageApi = {
  async coldStart(challenge, maxMs) {
    const solver = sigmesh.createPowSolver();
    const started = performance.now();
    await solver.pay(
      { challenge, difficulty: 1, scope: 'room-join' },
      new Uint8Array(32),
      AbortSignal.timeout(maxMs),
    );
    const ms = performance.now() - started;
    solver.close();
    return ms;
  },
};
(window as unknown as { benchCold: PowColdPageApi }).benchCold = api;
