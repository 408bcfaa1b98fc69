/**
 * The short fuzz tier: every target for a few thousand inputs inside the unit tests, so a parser
 * change that breaks an oracle fails CI; `npm run fuzz` is the long campaign. The seed is fixed so
 * CI is deterministic; SIGMESH_FUZZ_SEED and SIGMESH_FUZZ_INPUTS change it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FuzzTarget } from '../lib/fuzz-target.js';
import { runTarget } from '../lib/run-target.js';

/** Inputs per target: about 40 s for all of them on the 2-core test machine. */
export const SHORT_INPUTS = Number(process.env.SIGMESH_FUZZ_INPUTS ?? 10_000);
const SEED = Number(process.env.SIGMESH_FUZZ_SEED ?? 20_261_202);

/** One test per target: `inputs` generated inputs (SHORT_INPUTS), and the oracle holds for each. */
export function fuzzTest(target: FuzzTarget<unknown>, inputs = SHORT_INPUTS): void {
  test(`${target.name}: ${inputs.toLocaleString('en')} generated inputs keep the oracle`, async (t) => {
    const run = await runTarget(target, { inputs, seed: SEED });
    t.diagnostic(
      `${Math.round(run.inputsPerSecond)} inputs/s, slowest ${run.slowestInputMs.toFixed(1)} ms CPU`,
    );
    const failure = run.failure;
    assert.equal(
      failure,
      undefined,
      failure === undefined
        ? ''
        : `${failure.error}\n  replay: npm run fuzz -- --only ${target.name} --seed ${failure.seed} (path ${failure.path})\n  input: ${failure.input.slice(0, 4000)}`,
    );
  });
}
