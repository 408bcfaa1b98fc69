import { performance } from 'node:perf_hooks';

/**
 * The clock a node judges other nodes' liveness by: the node's clock minus the time this process
 * itself did not run. A host starved of CPU (a loaded VM, a long GC pause, a laptop waking up)
 * resumes with overdue timers before it has read the beats and frames waiting in its sockets; by
 * the plain clock every lease would have run out, every owner be judged gone and the messages in
 * the backlog refused. By this clock a node's own stall does not count against anybody: a hung
 * *other* node is still found within its lease, because this process kept running meanwhile.
 *
 * A stall is a gap of more than `stallMs` between two observations of the real clock; the
 * observations are a timer every `tickMs` and every reading of the clock.
 */
export class LivenessClock {
  readonly #base: () => number;
  readonly #real: () => number;
  readonly #tickMs: number;
  readonly #stallMs: number;
  readonly #timer: NodeJS.Timeout;
  #lastRun: number;
  #stalled = 0;

  constructor(
    base: () => number,
    options: { tickMs?: number; stallMs?: number; real?: () => number } = {},
  ) {
    this.#base = base;
    this.#real = options.real ?? (() => performance.now());
    this.#tickMs = options.tickMs ?? 100;
    this.#stallMs = options.stallMs ?? 1000;
    this.#lastRun = this.#real();
    this.#timer = setInterval(() => this.#observe(), this.#tickMs);
    this.#timer.unref();
  }

  /** The base clock minus every stall of this process so far. */
  readonly now = (): number => {
    this.#observe();
    return this.#base() - this.#stalled;
  };

  /** Milliseconds this process did not run, in stalls longer than `stallMs`. */
  get stalledMs(): number {
    this.#observe();
    return this.#stalled;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #observe(): void {
    const real = this.#real();
    const gap = real - this.#lastRun;
    if (gap > this.#stallMs) this.#stalled += gap - this.#tickMs;
    this.#lastRun = real;
  }
}
