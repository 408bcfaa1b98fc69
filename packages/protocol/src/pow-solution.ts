import { sha256 } from '@noble/hashes/sha2.js';
import { POW_CHALLENGE_BYTES } from './pow-challenge.js';

/**
 * The proof-of-work puzzle: find a counter such that the first 32 bits of
 * SHA-256(challenge ‖ SHA-256(bound data) ‖ counter as 8 bytes big-endian) are at most
 * floor((2³² − 1) / difficulty). The chance per try is 1/difficulty, so the expected work is
 * exactly the difficulty: linear and easy to price. The bound data is the request body for
 * POSTs (so a solution cannot carry another message) and the room hash for a room join.
 */

/** Bytes hashed before the counter: challenge (43) ‖ SHA-256(bound) (32). */
export const POW_PREFIX_BYTES = POW_CHALLENGE_BYTES + 32;
/** The largest counter a token may carry (2⁵³ − 1; JSON- and JS-safe). */
export const POW_MAX_COUNTER = Number.MAX_SAFE_INTEGER;

/** The prefix of every attempt for one challenge and one request. */
export function solutionPrefix(challengeBytes: Uint8Array, bound: Uint8Array): Uint8Array {
  const prefix = new Uint8Array(POW_PREFIX_BYTES);
  prefix.set(challengeBytes, 0);
  prefix.set(sha256(bound), POW_CHALLENGE_BYTES);
  return prefix;
}

/** The largest leading uint32 that solves a challenge of this difficulty. */
export function powTarget(difficulty: number): number {
  return Math.floor(0xffff_ffff / Math.max(1, difficulty));
}

/** Writes `counter` as 8 bytes big-endian into `out` at `offset`. */
export function writeCounter(out: Uint8Array, offset: number, counter: number): void {
  const high = Math.floor(counter / 0x1_0000_0000);
  const low = counter >>> 0;
  out[offset] = high >>> 24;
  out[offset + 1] = (high >>> 16) & 0xff;
  out[offset + 2] = (high >>> 8) & 0xff;
  out[offset + 3] = high & 0xff;
  out[offset + 4] = low >>> 24;
  out[offset + 5] = (low >>> 16) & 0xff;
  out[offset + 6] = (low >>> 8) & 0xff;
  out[offset + 7] = low & 0xff;
}

/** The first 32 bits of a digest, big-endian. */
export function leadingUint32(digest: Uint8Array): number {
  return (
    (((digest[0] ?? 0) << 24) |
      ((digest[1] ?? 0) << 16) |
      ((digest[2] ?? 0) << 8) |
      (digest[3] ?? 0)) >>>
    0
  );
}

/** One attempt: the leading uint32 of SHA-256(prefix ‖ counter). */
export function attempt(prefix: Uint8Array, counter: number): number {
  const input = new Uint8Array(prefix.length + 8);
  input.set(prefix, 0);
  writeCounter(input, prefix.length, counter);
  return leadingUint32(sha256(input));
}

/** True when `counter` solves the challenge for this bound data: one hash, the node's verify. */
export function checkSolution(
  challengeBytes: Uint8Array,
  difficulty: number,
  bound: Uint8Array,
  counter: number,
): boolean {
  return checkPrefixSolution(solutionPrefix(challengeBytes, bound), difficulty, counter);
}

/** True when `counter` solves the puzzle over any prefix (the same math as {@link checkSolution}). */
export function checkPrefixSolution(
  prefix: Uint8Array,
  difficulty: number,
  counter: number,
): boolean {
  if (!Number.isSafeInteger(counter) || counter < 0) return false;
  return attempt(prefix, counter) <= powTarget(difficulty);
}

/**
 * A fast search over counters for one prefix, so solvers can plug in the quickest SHA-256 of
 * their platform (hash-wasm in browsers, node:crypto in Node). Returns the first solving counter
 * in [start, end), or -1.
 */
export type PowSearch = (prefix: Uint8Array, target: number, start: number, end: number) => number;

/** The portable search: @noble/hashes with the prefix's midstate reused for every counter. */
export const nobleSearch: PowSearch = (prefix, target, start, end) => {
  const base = sha256.create().update(prefix);
  const counterBytes = new Uint8Array(8);
  for (let counter = start; counter < end; counter++) {
    writeCounter(counterBytes, 0, counter);
    if (leadingUint32(base.clone().update(counterBytes).digest()) <= target) return counter;
  }
  return -1;
};

/** Options for {@link solve}. */
export interface SolveOptions {
  /** Stops the search; solve() then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** The hash search to use; defaults to {@link nobleSearch}. */
  readonly search?: PowSearch;
  /** Attempts between checks of the signal and yields to the event loop. */
  readonly chunk?: number;
  /** Counter to start from (solvers running in parallel split the space). */
  readonly start?: number;
  /**
   * How to yield between chunks; defaults to `setTimeout(0)`. Browsers clamp nested timers to
   * 4 ms, so workers pass a `MessageChannel` yield (a macrotask without the clamp).
   */
  readonly yieldToEventLoop?: () => Promise<void>;
}

/**
 * Finds a counter solving the challenge for `bound`. Yields to the event loop every `chunk`
 * attempts so callers stay responsive and can cancel through `signal`.
 */
export function solve(
  challengeBytes: Uint8Array,
  difficulty: number,
  bound: Uint8Array,
  options: SolveOptions = {},
): Promise<number> {
  return solvePrefix(solutionPrefix(challengeBytes, bound), difficulty, options);
}

/** Finds a counter solving the puzzle over any prefix (see {@link solve}). */
export async function solvePrefix(
  prefix: Uint8Array,
  difficulty: number,
  options: SolveOptions = {},
): Promise<number> {
  const target = powTarget(difficulty);
  const search = options.search ?? nobleSearch;
  const chunk = options.chunk ?? 16_384;
  for (let start = options.start ?? 0; start < POW_MAX_COUNTER; start += chunk) {
    options.signal?.throwIfAborted();
    const found = search(prefix, target, start, Math.min(start + chunk, POW_MAX_COUNTER));
    if (found >= 0) return found;
    await (options.yieldToEventLoop?.() ?? new Promise<void>((resolve) => setTimeout(resolve, 0)));
  }
  throw new RangeError('no solution in the counter space');
}
