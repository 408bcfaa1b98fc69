import type { PowSearch } from '@sigmesh/protocol';

/** Attempts done and the time they took. */
export interface PowCount {
  readonly attempts: number;
  readonly ms: number;
}

/**
 * Runs `search` over `attempts` counters (or until `maxMs` passed) with an unreachable target,
 * so every counter is hashed: a fixed amount of the work a real solve does, one attempt per
 * counter. Checks the clock every `chunk` attempts; the prefix's first block is hashed once per
 * chunk (the midstate), as in a real search.
 */
export function countAttempts(
  search: PowSearch,
  prefix: Uint8Array,
  attempts: number,
  maxMs: number,
  chunk = 65_536,
): PowCount {
  const started = performance.now();
  let done = 0;
  while (done < attempts && performance.now() - started < maxMs) {
    const end = Math.min(done + chunk, attempts);
    // Target 0: a hit needs 32 leading zero bits (one in 4.3 billion); count it and go on.
    const found = search(prefix, 0, done, end);
    done = found >= 0 ? found + 1 : end;
  }
  return { attempts: done, ms: performance.now() - started };
}

/** Hashes per second. */
export function rateOf(count: PowCount): number {
  return count.ms > 0 ? (count.attempts * 1000) / count.ms : 0;
}

/** How a chunked search gives the event loop a turn between chunks. */
export type YieldMode = 'none' | 'setTimeout' | 'messageChannel';

function yielder(mode: YieldMode): () => Promise<void> {
  if (mode === 'setTimeout')
    // What the client's solve() does (packages/protocol/src/pow-solution.ts).
    return () => new Promise<void>((resolve) => setTimeout(resolve, 0));
  if (mode === 'messageChannel') {
    // A macrotask without timer clamping: the usual "yield" in browsers and workers.
    const channel = new MessageChannel();
    const waiting: Array<() => void> = [];
    channel.port1.onmessage = () => waiting.shift()?.();
    return () =>
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        channel.port2.postMessage(0);
      });
  }
  return () => Promise.resolve();
}

/**
 * {@link countAttempts} in the shape of the client's solve(): `chunk` counters per search call,
 * then a yield to the event loop. The difference to the plain loop is what the yields cost.
 */
export async function countAttemptsYielding(
  search: PowSearch,
  prefix: Uint8Array,
  attempts: number,
  maxMs: number,
  chunk: number,
  mode: YieldMode,
): Promise<PowCount> {
  const pause = yielder(mode);
  const started = performance.now();
  let done = 0;
  while (done < attempts && performance.now() - started < maxMs) {
    const end = Math.min(done + chunk, attempts);
    const found = search(prefix, 0, done, end);
    done = found >= 0 ? found + 1 : end;
    await pause();
  }
  return { attempts: done, ms: performance.now() - started };
}
