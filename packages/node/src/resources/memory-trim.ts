import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

/**
 * Giving freed native memory back to the operating system, once in a while.
 *
 * glibc's allocator keeps the memory a process frees: only the top of its heap goes back, so the
 * buffers, sockets and parser state of thousands of requests and streams, freed in between live
 * ones, stay counted in the RSS. Measured on a node filled with 2,000 idle room members, the
 * allocator held 46.7 MB from the system for 12.9 MB in use, and `malloc_trim(0)` brought the RSS
 * per member from 14.7 KB down to 6.9 KB (docs/performance.md § Idle member). Node.js has no
 * binding for `malloc_trim`, so it is called through koffi (an FFI library with prebuilt binaries,
 * an optional dependency). Where that is not possible — another C library (musl, macOS, Windows)
 * or koffi not installed — nothing is trimmed, and `sigmesh_memory_trim_available` is 0.
 *
 * The trimming is process-wide (the allocator is): one timer per process, whatever number of
 * nodes run in it, at the shortest interval any of them asked for, stopped with the last.
 */

/** What the trimming has done in this process, for the metrics and the status. */
export interface MemoryTrimStats {
  /** Whether `malloc_trim` could be loaded here (glibc and koffi). */
  readonly available: boolean;
  readonly trims: number;
  /** RSS given back, summed over the trims (RSS before minus after, when it fell). */
  readonly releasedBytes: number;
  /** Time spent in `malloc_trim`, summed: it holds the event loop for as long. */
  readonly seconds: number;
}

let trimFunction: (() => number) | null | undefined;
let trims = 0;
let releasedBytes = 0;
let seconds = 0;
const holders = new Map<symbol, number>();
let timer: NodeJS.Timeout | undefined;
let timerIntervalMs = 0;

/** `malloc_trim(0)` of this process's C library, or null where there is none to call. */
function loadMallocTrim(): (() => number) | null {
  // glibc only: musl's library is not libc.so.6 and has no malloc_trim; loading either fails.
  if (process.platform !== 'linux') return null;
  try {
    const require = createRequire(import.meta.url);
    const koffi = require('koffi') as {
      load(path: string): { func(signature: string): (pad: number) => number };
    };
    const trim = koffi.load('libc.so.6').func('int malloc_trim(size_t pad)');
    return () => trim(0);
  } catch {
    return null;
  }
}

function mallocTrim(): (() => number) | null {
  if (trimFunction === undefined) trimFunction = loadMallocTrim();
  return trimFunction;
}

/** Gives the process's freed native memory back to the system now; false where it cannot. */
export function trimMemoryNow(): boolean {
  const trim = mallocTrim();
  if (trim === null) return false;
  const before = process.memoryUsage.rss();
  const start = performance.now();
  trim();
  seconds += (performance.now() - start) / 1000;
  const after = process.memoryUsage.rss();
  trims++;
  if (after < before) releasedBytes += before - after;
  return true;
}

export function memoryTrimStats(): MemoryTrimStats {
  return { available: mallocTrim() !== null, trims, releasedBytes, seconds };
}

function reschedule(): void {
  const wanted = holders.size === 0 ? 0 : Math.min(...holders.values());
  if (wanted === timerIntervalMs) return;
  clearInterval(timer);
  timer = undefined;
  timerIntervalMs = wanted;
  if (wanted === 0) return;
  timer = setInterval(trimMemoryNow, wanted);
  timer.unref();
}

/**
 * Trims every `intervalSeconds` while the returned release has not been called (0: this holder
 * asks for no trimming). Returns whether trimming is available here.
 */
export function holdMemoryTrim(intervalSeconds: number): {
  readonly available: boolean;
  release(): void;
} {
  const available = mallocTrim() !== null;
  const key = Symbol('memory trim holder');
  if (available && intervalSeconds > 0) {
    holders.set(key, intervalSeconds * 1000);
    reschedule();
  }
  return {
    available,
    release() {
      if (holders.delete(key)) reschedule();
    },
  };
}
