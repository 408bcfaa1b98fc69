import { decodeChallenge, formatPowToken, sigmeshError, type PowOffer } from '@sigmesh/protocol';
import { createPowJobRunner, type PowJobRequest, type PowJobResult } from './pow-jobs.js';
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
 * A solver on a Web Worker (browsers) or a worker thread (Node), falling back to solving on the
 * calling thread in small yielding chunks where workers are unavailable (e.g. a strict CSP).
 */
export function createPowSolver(): PowSolver {
  let nextId = 1;
  let rate = INITIAL_HASH_RATE;
  const pending = new Map<
    number,
    { readonly request: PowJobRequest; readonly settle: (result: PowJobResult) => void }
  >();
  const onResult = (result: PowJobResult): void => {
    pending.get(result.id)?.settle(result);
    pending.delete(result.id);
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
    async pay(offer, bound, signal) {
      signal?.throwIfAborted();
      const challenge = decodeChallenge(offer.challenge);
      if (!challenge.ok) throw sigmeshError(challenge.code, challenge.message);
      const worker = await connect();
      // Aborted while the worker started: its listener below would never hear of it.
      signal?.throwIfAborted();
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

function inThreadPort(onResult: (result: PowJobResult) => void): PowWorkerPort {
  const runner = createPowJobRunner(onResult);
  return { post: (request: PowJobRequest) => runner.handle(request), terminate: () => undefined };
}
