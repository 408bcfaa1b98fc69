/**
 * What one fuzz target is: a parser an outsider can reach, a generator of inputs for it, and the
 * oracle that judges one input. The same definition drives the short CI tier (`fuzz/test/`) and
 * the long campaign (`fuzz/campaign.ts`), so the two can never drift apart.
 */
import type fc from 'fast-check';

/** One parser (or a chain of them that always runs together) under fuzzing. */
export interface FuzzTarget<T> {
  /** Short kebab-case name, used on the command line and in the results file. */
  readonly name: string;
  /** The functions fuzzed and where they live, for the docs and the results file. */
  readonly covers: readonly string[];
  /** Generated inputs: valid values, valid values mutated, and noise. */
  readonly inputs: fc.Arbitrary<T>;
  /**
   * Runs the parser on one input and judges it. Throws (any error) on an oracle violation:
   * the parser threw where it must return a typed failure, a round trip did not hold, or state
   * grew past its bound. Returns a promise only for parsers that are async themselves.
   */
  check(input: T): void | Promise<void>;
  /** True when {@link check} returns a promise. */
  readonly async?: boolean;
  /**
   * CPU time one input may take, in ms, before it is re-run and, if still that slow, reported
   * as a hang. Default {@link DEFAULT_MAX_MS_PER_INPUT}.
   */
  readonly maxMsPerInput?: number;
  /** Releases what the target set up for its inputs (a live node), after its last input. */
  close?(): Promise<void>;
}

/**
 * Per-input time bound. Every parser here handles one message of at most tens of kilobytes; a
 * linear parse of that takes well under a millisecond, so 50 ms means a superlinear path
 * (a quadratic regex or copy), not noise — a slow input is re-run twice before it counts.
 */
export const DEFAULT_MAX_MS_PER_INPUT = 50;

/** Defines a target with its input type inferred from the generator. */
export function fuzzTarget<T>(target: FuzzTarget<T>): FuzzTarget<T> {
  return target;
}
