import {
  decodeChallenge,
  formatPowToken,
  sigmeshError,
  solve,
  type PowOffer,
  type PowSearch,
} from '@sigmesh/protocol';
import { createHashWasmSearch } from './hash-wasm-search.js';
import {
  createPowJobRunner,
  yieldToEventLoop,
  type PowJobRequest,
  type PowJobResult,
  type PowWorkerMessage,
} from './pow-jobs.js';
import { openPowWorker, type PowWorkerPort } from './pow-worker-port.js';

/** Pays proof-of-work off the main thread. One per client; shared by all its nodes. */
export interface PowSolver {
  /** Solves `offer` for `bound` (the body, or the room hash for a join); resolves the token. */
  pay(offer: PowOffer, bound: Uint8Array, signal?: AbortSignal): Promise<string>;
  /** Measured hashes per second (a moving average; an estimate before the first solve). */
  readonly hashesPerSecond: number;
  /** Stops the worker; pending payments reject. */
  close(): void;
}

/** Before any solve is measured: a modest browser's hash-wasm rate. */
const INITIAL_HASH_RATE = 500_000;
/**
 * Payments up to this many expected hashes, asked for while the worker starts (a new thread, its
 * script, hash-wasm compiled: 50–100 ms on a busy page, longer than the first join's whole PoW),
 * are solved on the calling thread instead, in chunks of about 2 ms between which the page runs:
 * with the page's own hash-wasm search once it is compiled, @noble/hashes until then.
 */
const MAX_DIFFICULTY_WHILE_STARTING = 8192;
const STARTING_CHUNK = 1024;
/**
 * Attempts per chunk once the page's own hash-wasm search is compiled (a few ms after the solver
 * is made): about 2 ms each too. Cold @noble/hashes ran at 58,000 hashes/s in a fresh V8 (Node,
 * 2,000 attempts; 440,000 once warm), so the first join's ~2,000–4,000 attempts took most of
 * the 120 ms between the first probe's answer and the join on a busy page.
 */
const STARTING_CHUNK_WASM = 4096;

/**
 * A solver on a Web Worker (browsers) or a worker thread (Node), falling back to solving on the
 * calling thread in small yielding chunks where workers are unavailable (e.g. a strict CSP). In a
 * browser page, cheap payments asked for before the worker is ready (the first join's) are solved
 * on the page's thread too, so the first join does not wait for the worker to start.
 */
export function createPowSolver(
  options: {
    /**
     * Solve cheap payments on the calling thread while the worker starts. Default: in a browser
     * page only, whose thread waits idle for the worker then; in Node the calling thread is
     * usually a server's or an app's event loop, and a worker thread starts sooner.
     */
    readonly solveWhileStarting?: boolean;
  } = {},
): PowSolver & {
  /** Payments solved on the calling thread because the worker was still starting. */
  readonly solvedWhileStarting: number;
} {
  let nextId = 1;
  let rate = INITIAL_HASH_RATE;
  const pending = new Map<
    number,
    { readonly request: PowJobRequest; readonly settle: (result: PowJobResult) => void }
  >();
  const solveWhileStarting = options.solveWhileStarting ?? typeof document !== 'undefined';
  // Nothing to wait for when this thread never solves (the worker's readiness only matters here).
  let ready = !solveWhileStarting;
  let solvedWhileStarting = 0;
  // The page's own hash-wasm search for those payments, compiled beside the worker's (hash-wasm
  // is in the bundle already, for the in-thread fallback); @noble/hashes until it is ready.
  let localSearch: PowSearch | undefined;
  if (solveWhileStarting)
    createHashWasmSearch().then(
      (search) => (localSearch = search),
      () => undefined,
    );
  const onResult = (message: PowWorkerMessage): void => {
    if ('ready' in message) {
      ready = true;
      return;
    }
    pending.get(message.id)?.settle(message);
    pending.delete(message.id);
  };
  let port: Promise<PowWorkerPort> | undefined;
  // A worker that cannot start (no worker support, a strict CSP, a loader problem) is replaced
  // by solving on this thread; the jobs it held are handed over.
  const fallBack = (): PowWorkerPort => {
    const local = inThreadPort(onResult);
    port = Promise.resolve(local);
    for (const { request } of pending.values()) local.post(request);
    return local;
  };
  const connect = (): Promise<PowWorkerPort> =>
    (port ??= openPowWorker(onResult, () => void fallBack()).catch(fallBack));

  void connect();
  return {
    get hashesPerSecond() {
      return rate;
    },
    get solvedWhileStarting() {
      return solvedWhileStarting;
    },
    async pay(offer, bound, signal) {
      signal?.throwIfAborted();
      const challenge = decodeChallenge(offer.challenge);
      if (!challenge.ok) throw sigmeshError(challenge.code, challenge.message);
      const worker = await connect();
      // Aborted while the worker started: its listener below would never hear of it.
      signal?.throwIfAborted();
      if (!ready && challenge.value.difficulty <= MAX_DIFFICULTY_WHILE_STARTING) {
        const search = localSearch;
        const counter = await solve(challenge.value.bytes, challenge.value.difficulty, bound, {
          chunk: search === undefined ? STARTING_CHUNK : STARTING_CHUNK_WASM,
          yieldToEventLoop,
          ...(search === undefined ? {} : { search }),
          ...(signal === undefined ? {} : { signal }),
        });
        solvedWhileStarting++;
        return formatPowToken(offer.challenge, counter);
      }
      const id = nextId++;
      const result = await new Promise<PowJobResult>((resolve, reject) => {
        const onAbort = (): void => {
          pending.delete(id);
          worker.post({ type: 'cancel', id });
          reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        const request: PowJobRequest = {
          type: 'solve',
          id,
          challenge: challenge.value.bytes,
          difficulty: challenge.value.difficulty,
          bound,
        };
        pending.set(id, {
          request,
          settle: (value) => {
            signal?.removeEventListener('abort', onAbort);
            resolve(value);
          },
        });
        worker.post(request);
      });
      if ('error' in result) throw new Error(`proof-of-work failed: ${result.error}`);
      // counter + 1 attempts were made (the search starts at 0); weigh longer solves more.
      if (result.ms > 5) rate = 0.7 * rate + 0.3 * (((result.counter + 1) * 1000) / result.ms);
      return formatPowToken(offer.challenge, result.counter);
    },
    close() {
      for (const [id, job] of pending) job.settle({ id, error: 'solver closed' });
      pending.clear();
      void port?.then((worker) => worker.terminate());
    },
  };
}

function inThreadPort(onResult: (message: PowWorkerMessage) => void): PowWorkerPort {
  const runner = createPowJobRunner(onResult);
  return { post: (request: PowJobRequest) => runner.handle(request), terminate: () => undefined };
}
