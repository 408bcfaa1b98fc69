// A dedicated worker running the client's own hash-wasm search (packages/client/src/pow) over a
// fixed number of counters: the raw search rate in the browser's worker environment, and the
// same search in the solver's shape (8,192 counters per chunk, a yield between chunks).
import { createHashWasmSearch } from '../../../packages/client/src/pow/hash-wasm-search.js';
import { countAttempts, countAttemptsYielding, type YieldMode } from '../pow-count.js';

/** A job for this worker: `yieldMode` 'none' is one tight loop (65,536-counter chunks). */
export interface RawWorkerJob {
  readonly prefix: Uint8Array;
  readonly attempts: number;
  readonly maxMs: number;
  readonly yieldMode: YieldMode;
  readonly chunk: number;
}

const scope = globalThis as unknown as {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent<RawWorkerJob>) => void) | null;
};
const search = createHashWasmSearch();
scope.onmessage = (event) => {
  const job = event.data;
  void search
    .then((hashSearch) =>
      job.yieldMode === 'none'
        ? countAttempts(hashSearch, job.prefix, job.attempts, job.maxMs)
        : countAttemptsYielding(
            hashSearch,
            job.prefix,
            job.attempts,
            job.maxMs,
            job.chunk,
            job.yieldMode,
          ),
    )
    .then((count) => scope.postMessage(count));
};
