import { resultsFile, saveResults } from '../lib/bench-report.js';

/** Today's `bench/results/client-<date>.json` (or SIGMESH_BENCH_RESULTS). */
export function clientResultsFile(): string {
  return resultsFile('client');
}

/** Merges `section` under `name` into the client results file (each script adds its own part). */
export function saveClientResults(name: string, section: Record<string, unknown>): string {
  return saveResults(name, section, 'client');
}

/** The p-th percentile (0–100) by linear interpolation; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const at = ((sorted.length - 1) * p) / 100;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}
