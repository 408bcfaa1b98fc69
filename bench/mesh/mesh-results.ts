import { saveResults } from '../lib/bench-report.js';

/** Merges `section` under `name` into today's `bench/results/mesh-<date>.json`. */
export function saveMeshResults(name: string, section: Record<string, unknown>): string {
  return saveResults(name, section, 'mesh');
}
