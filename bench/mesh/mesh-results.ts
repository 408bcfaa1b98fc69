import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machine, sourceVersion } from '../lib/bench-report.js';

/** `bench/results/mesh-<yyyy-mm-dd>.json` for today (UTC) unless SIGMESH_BENCH_RESULTS names another file. */
export function meshResultsFile(): string {
  const fromEnv = process.env.SIGMESH_BENCH_RESULTS;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return fileURLToPath(
    new URL(`../results/mesh-${new Date().toISOString().slice(0, 10)}.json`, import.meta.url),
  );
}

/** Merges `section` under `name` into the mesh results file (each script adds its own part). */
export function saveMeshResults(name: string, section: Record<string, unknown>): string {
  const file = meshResultsFile();
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
