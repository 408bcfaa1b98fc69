// The PoW page: the client's hash-wasm search on the page's main thread and in a worker, and the
// client's real solver (createPowSolver from the browser bundle, loaded before this script).
import type * as SigmeshClient from '@sigmesh/client';
import { nobleSearch } from '@sigmesh/protocol';
import { createHashWasmSearch } from '../../../packages/client/src/pow/hash-wasm-search.js';
import { countAttempts, type PowCount, type YieldMode } from '../pow-count.js';
import type { RawWorkerJob } from './pow-raw-worker.js';

/** Set by the page bundler: the raw-search worker, bundled. */
declare const __RAW_WORKER__: string;

/** One timed solve through the client's solver. */
export interface SolverRun {
  readonly attempts: number;
  readonly ms: number;
  /** The solver's own moving-average estimate afterwards. */
  readonly solverEstimate: number;
}

/** What the page offers the benchmark on `window.benchPow`. */
export interface PowPageApi {
  mainThread(prefix: number[], attempts: number, maxMs: number): Promise<PowCount>;
  /** The portable search (@noble/hashes, no WebAssembly to compile) on the main thread. */
  mainThreadNoble(prefix: number[], attempts: number, maxMs: number): Promise<PowCount>;

  worker(
    prefix: number[],
    attempts: number,
    maxMs: number,
    yieldMode: YieldMode,
    chunk: number,
  ): Promise<PowCount>;
  solver(challenge: string, difficulty: number, bound: number[], maxMs: number): Promise<SolverRun>;
}

const sigmesh = (window as unknown as { sigmesh: typeof SigmeshClient }).sigmesh;
const mainSearch = createHashWasmSearch();
const rawWorker = new Worker(
  URL.createObjectURL(new Blob([__RAW_WORKER__], { type: 'text/javascript' })),
);
let solver: SigmeshClient.PowSolver | undefined;

const api: PowPageApi = {
  async mainThread(prefix, attempts, maxMs) {
    return countAttempts(await mainSearch, new Uint8Array(prefix), attempts, maxMs);
  },
  mainThreadNoble(prefix, attempts, maxMs) {
    return Promise.resolve(countAttempts(nobleSearch, new Uint8Array(prefix), attempts, maxMs));
  },
  worker(prefix, attempts, maxMs, yieldMode, chunk) {
    return new Promise<PowCount>((resolve, reject) => {
      rawWorker.onmessage = (event: MessageEvent<PowCount>) => resolve(event.data);
      rawWorker.onerror = (event) => reject(new Error(event.message));
      const job: RawWorkerJob = {
        prefix: new Uint8Array(prefix),
        attempts,
        maxMs,
        yieldMode,
        chunk,
      };
      rawWorker.postMessage(job);
    });
  },
  async solver(challenge, difficulty, bound, maxMs) {
    // One solver for the page, as one client has; its worker starts on the first (warm-up) job.
    solver ??= sigmesh.createPowSolver();
    const started = performance.now();
    const token = await solver.pay(
      { challenge, difficulty, scope: 'room-join' },
      new Uint8Array(bound),
      AbortSignal.timeout(maxMs),
    );
    const ms = performance.now() - started;
    // The search starts at counter 0 and stops at the first solution: counter + 1 hashes.
    const counter = Number(token.slice(token.lastIndexOf('.') + 1));
    return { attempts: counter + 1, ms, solverEstimate: solver.hashesPerSecond };
  },
};
(window as unknown as { benchPow: PowPageApi }).benchPow = api;
