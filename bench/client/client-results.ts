import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machine, sourceVersion } from '../lib/bench-report.js';

/** `bench/results/client-<yyyy-mm-dd>.json` for today (UTC) unless SIGMESH_BENCH_RESULTS names another file. */
export function clientResultsFile(): string {
  const fromEnv = process.env.SIGMESH_BENCH_RESULTS;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return fileURLToPath(
    new URL(`../results/client-${new Date().toISOString().slice(0, 10)}.json`, import.meta.url),
  );
}

/** Merges `section` under `name` into the client results file (each script adds its own part). */
export function saveClientResults(name: string, section: Record<string, unknown>): string {
  const file = clientResultsFile();
  mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // first section of the day
  }
  all.machine = machine();
  all[name] = { measuredAt: new Date().toISOString(), source: sourceVersion(), ...section };
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
  return file;
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
