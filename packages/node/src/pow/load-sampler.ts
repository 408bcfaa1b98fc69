import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

/** The node's load, each in [0, 1]. */
export interface LoadReading {
  /** Event-loop utilization over the last sample interval. */
  readonly cpu: number;
  /** The larger of heap used / heap limit and RSS / memory limit. */
  readonly mem: number;
  /** Exponentially smoothed max(cpu, mem): what the price follows. */
  readonly smoothed: number;
}

/** Anything that tells the current load; the sampler below, or a fixed value in tests. */
export interface LoadSource {
  current(): LoadReading;
}

/**
 * Samples event-loop utilization and memory every `intervalMs` and smooths max(cpu, mem) with an
 * EWMA (α = 0.3), so one slow tick does not spike the price but sustained load moves it within
 * a few samples.
 */
export class LoadSampler implements LoadSource {
  #timer: NodeJS.Timeout | undefined;
  #last: EventLoopUtilization | undefined;
  #reading: LoadReading = { cpu: 0, mem: 0, smoothed: 0 };
  readonly #intervalMs: number;
  readonly #memoryLimit: number;
  readonly #heapLimit = getHeapStatistics().heap_size_limit;
  readonly #memoryUsage: () => Pick<NodeJS.MemoryUsage, 'heapUsed' | 'rss'>;
  /** RSS / memory limit from the last sample that could read it. */
  #rssRatio = 0;

  constructor(options: {
    intervalMs: number;
    memoryLimitBytes: number;
    /** Where memory is read; defaults to `process.memoryUsage` (tests inject failures). */
    memoryUsage?: () => Pick<NodeJS.MemoryUsage, 'heapUsed' | 'rss'>;
  }) {
    this.#intervalMs = options.intervalMs;
    this.#memoryLimit = options.memoryLimitBytes;
    this.#memoryUsage = options.memoryUsage ?? (() => process.memoryUsage());
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#last = performance.eventLoopUtilization();
    this.#timer = setInterval(() => this.sample(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Takes one sample now (the interval calls this). Never throws: it runs in a timer, where an
   * exception ends the process. `process.memoryUsage()` reads RSS from /proc and so needs a free
   * file descriptor; when there is none (EMFILE, issue 11) the heap — read without one — and the
   * last RSS reading stand in.
   */
  sample(): void {
    const elu = performance.eventLoopUtilization(this.#last);
    this.#last = performance.eventLoopUtilization();
    let heapUsed: number;
    try {
      const memory = this.#memoryUsage();
      heapUsed = memory.heapUsed;
      this.#rssRatio = memory.rss / this.#memoryLimit;
    } catch {
      heapUsed = getHeapStatistics().used_heap_size;
    }
    const cpu = clamp(elu.utilization);
    const mem = clamp(Math.max(heapUsed / this.#heapLimit, this.#rssRatio));
    const smoothed = clamp(this.#reading.smoothed * 0.7 + Math.max(cpu, mem) * 0.3);
    this.#reading = { cpu, mem, smoothed };
  }

  current(): LoadReading {
    return this.#reading;
  }
}

function clamp(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
