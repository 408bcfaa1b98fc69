import { solve, type PowSearch } from '@sigmesh/protocol';
import { createHashWasmSearch } from './hash-wasm-search.js';

/**
 * A macrotask yield without the 4 ms clamp browsers put on nested `setTimeout(0)` (it cost the
 * solver a third of its rate: docs/performance.md § Client); cancels still get through.
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof MessageChannel === 'undefined')
    return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** A request to a PoW worker. */
export type PowJobRequest =
  | {
      readonly type: 'solve';
      readonly id: number;
      readonly challenge: Uint8Array;
      readonly difficulty: number;
      readonly bound: Uint8Array;
    }
  | { readonly type: 'cancel'; readonly id: number };

/** A PoW worker's answer: the counter found and the time it took, or why it stopped. */
export type PowJobResult =
  | { readonly id: number; readonly counter: number; readonly ms: number }
  | { readonly id: number; readonly error: string };

/** What a PoW worker posts: a job's result, or once, that its hash search is ready. */
export type PowWorkerMessage = PowJobResult | { readonly ready: true };

/**
 * Runs solve jobs as they arrive (each yields between chunks, so cancels get through) and posts
 * each result back, and `{ ready: true }` once its hash search is compiled. Shared by the browser
 * and Node worker entries and the main-thread fallback.
 */
export function createPowJobRunner(post: (message: PowWorkerMessage) => void): {
  handle(request: PowJobRequest): void;
} {
  let search: Promise<PowSearch> | undefined = createHashWasmSearch();
  search.then(
    () => post({ ready: true }),
    () => undefined,
  );
  const running = new Map<number, AbortController>();
  return {
    handle(request) {
      if (request.type === 'cancel') {
        running.get(request.id)?.abort();
        return;
      }
      const abort = new AbortController();
      running.set(request.id, abort);
      search ??= createHashWasmSearch();
      const started = performance.now();
      search
        .then((hashSearch) =>
          solve(request.challenge, request.difficulty, request.bound, {
            search: hashSearch,
            signal: abort.signal,
            chunk: 8192,
            yieldToEventLoop,
          }),
        )
        .then(
          (counter) => post({ id: request.id, counter, ms: performance.now() - started }),
          (error: unknown) =>
            post({ id: request.id, error: error instanceof Error ? error.message : String(error) }),
        )
        .finally(() => running.delete(request.id));
    },
  };
}
