import type { PowJobRequest, PowWorkerMessage } from './pow-jobs.js';

/** The main thread's end of a PoW worker. */
export interface PowWorkerPort {
  post(request: PowJobRequest): void;
  terminate(): void;
}

/** Set by the browser bundle (scripts/build-browser.mjs): the worker's code, bundled. */
declare const __SIGMESH_POW_WORKER__: string | undefined;

/** Starts a PoW worker: a worker thread in Node, a dedicated Worker in browsers. */
export async function openPowWorker(
  onResult: (message: PowWorkerMessage) => void,
  onFailure: (error: Error) => void,
): Promise<PowWorkerPort> {
  if (typeof process !== 'undefined' && typeof process.versions?.node === 'string') {
    const { Worker } = await import('node:worker_threads');
    // Run from source (tests, tsx) the sibling is .ts; from dist it is .js.
    const fromSource = import.meta.url.endsWith('.ts');
    const worker = new Worker(
      new URL(`./pow-worker-node${fromSource ? '.ts' : '.js'}`, import.meta.url),
      // Loader hooks (tsx) are not inherited by worker threads on Node 20: ask for them again.
      fromSource ? { execArgv: ['--import', 'tsx', '--conditions=source'] } : {},
    );
    worker.unref();
    worker.on('message', onResult);
    worker.on('error', onFailure);
    return {
      post: (request) => worker.postMessage(request),
      terminate: () => void worker.terminate(),
    };
  }
  const worker =
    typeof __SIGMESH_POW_WORKER__ === 'string'
      ? new Worker(
          URL.createObjectURL(new Blob([__SIGMESH_POW_WORKER__], { type: 'text/javascript' })),
        )
      : new Worker(new URL('./pow-worker-browser.js', import.meta.url), { type: 'module' });
  worker.onmessage = (event: MessageEvent<PowWorkerMessage>) => onResult(event.data);
  worker.onerror = (event) => onFailure(new Error(event.message));
  return { post: (request) => worker.postMessage(request), terminate: () => worker.terminate() };
}
