/**
 * Runs one fuzz target for a number of inputs with fast-check and measures it: inputs per second,
 * the slowest input, heap kept afterwards, and the first oracle violation with everything needed
 * to replay it (seed, path, the shrunk input).
 */
import fc from 'fast-check';
import { DEFAULT_MAX_MS_PER_INPUT, type FuzzTarget } from './fuzz-target.js';

/** An oracle violation: the input (shrunk by fast-check) and how to generate it again. */
export interface TargetFailure {
  /** fast-check seed and path of the batch that failed: `fc.check(…, { seed, path })` replays it. */
  readonly seed: number;
  readonly path: string;
  /** The shrunk input, as fast-check prints it (cut at 20,000 characters). */
  readonly input: string;
  readonly error: string;
}

/** What one run of one target measured. */
export interface TargetRun {
  readonly name: string;
  readonly covers: readonly string[];
  /** Inputs generated and checked (up to the failure, if any). */
  readonly inputs: number;
  readonly seconds: number;
  readonly inputsPerSecond: number;
  /** CPU time of the slowest input, including its oracle, in ms. */
  readonly slowestInputMs: number;
  /** Heap still used after the run minus before it, both after a full GC (needs --expose-gc). */
  readonly heapGrowthBytes: number | undefined;
  readonly failure: TargetFailure | undefined;
}

/** Options of {@link runTarget}. */
export interface RunOptions {
  readonly inputs: number;
  readonly seed: number;
  /** Inputs per fast-check run; batch `b` uses seed `seed + b`. */
  readonly batch?: number;
  /** Called after every batch with the inputs done so far. */
  readonly progress?: (done: number, seconds: number) => void;
}

const MAX_INPUT_CHARS = 20_000;

/** Runs `target` for `options.inputs` inputs; stops at the first violation. */
export async function runTarget(
  target: FuzzTarget<unknown>,
  options: RunOptions,
): Promise<TargetRun> {
  const bound = target.maxMsPerInput ?? DEFAULT_MAX_MS_PER_INPUT;
  const batch = options.batch ?? 50_000;
  let slowest = 0;
  const heapBefore = usedHeapAfterGc();
  const started = performance.now();
  let done = 0;
  let failure: TargetFailure | undefined;
  for (let b = 0; done < options.inputs && failure === undefined; b++) {
    const numRuns = Math.min(batch, options.inputs - done);
    const seed = options.seed + b;
    const details = target.async
      ? await fc.check(
          fc.asyncProperty(target.inputs, async (input) => {
            const ms = await timeAsync(() => target.check(input));
            slowest = Math.max(slowest, ms);
            if (ms > bound) await confirmSlowAsync(() => target.check(input), bound);
          }),
          { numRuns, seed },
        )
      : fc.check(
          fc.property(target.inputs, (input) => {
            const ms = time(() => target.check(input));
            slowest = Math.max(slowest, ms);
            if (ms > bound) confirmSlow(() => target.check(input), bound);
          }),
          { numRuns, seed },
        );
    if (details.failed) {
      done += details.numRuns;
      failure = {
        seed: details.seed,
        path: details.counterexamplePath ?? '',
        input: cut(fc.stringify(details.counterexample)),
        error: describeError(details.errorInstance),
      };
    } else {
      done += numRuns;
    }
    options.progress?.(done, (performance.now() - started) / 1000);
  }
  const seconds = (performance.now() - started) / 1000;
  await target.close?.();
  const heapAfter = usedHeapAfterGc();
  return {
    name: target.name,
    covers: target.covers,
    inputs: done,
    seconds,
    inputsPerSecond: done / seconds,
    slowestInputMs: slowest,
    heapGrowthBytes:
      heapBefore === undefined || heapAfter === undefined ? undefined : heapAfter - heapBefore,
    failure,
  };
}

/**
 * CPU time (user + system, ms) of one run: unlike wall time it does not grow when the machine is
 * shared and this process waits for a core, so the bound tells a slow parser from a busy host.
 */
function time(run: () => unknown): number {
  const started = process.cpuUsage();
  run();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

async function timeAsync(run: () => unknown): Promise<number> {
  const started = process.cpuUsage();
  await run();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

// A slow input is run twice more: a GC pause does not repeat, a superlinear path does. Only if
// both repeats are over the bound is it a hang.
function confirmSlow(run: () => unknown, bound: number): void {
  const again = Math.min(time(run), time(run));
  if (again > bound) throw new Error(`input took ${again.toFixed(1)} ms of CPU, over ${bound} ms`);
}

async function confirmSlowAsync(run: () => unknown, bound: number): Promise<void> {
  const again = Math.min(await timeAsync(run), await timeAsync(run));
  if (again > bound) throw new Error(`input took ${again.toFixed(1)} ms of CPU, over ${bound} ms`);
}

function usedHeapAfterGc(): number | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return undefined;
  gc();
  return process.memoryUsage().heapUsed;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return cut(`${error.name}: ${error.message}`);
  return cut(String(error));
}

function cut(text: string): string {
  return text.length > MAX_INPUT_CHARS ? `${text.slice(0, MAX_INPUT_CHARS)}…` : text;
}
