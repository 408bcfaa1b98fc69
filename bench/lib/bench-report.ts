import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

/** Median of a non-empty list (mean of the middle two for even lengths). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Write system calls (write, writev) process `pid` has made so far (`syscw` of /proc/PID/io);
 * NaN where that file cannot be read.
 */
export function writeSyscalls(pid: number): number {
  return ioCounter(pid, 'syscw');
}

/** Read system calls (read, readv, recv…) process `pid` has made so far (`syscr`), or NaN. */
export function readSyscalls(pid: number): number {
  return ioCounter(pid, 'syscr');
}

function ioCounter(pid: number, name: 'syscr' | 'syscw'): number {
  try {
    const line = readFileSync(`/proc/${pid}/io`, 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith(`${name}:`));
    return line === undefined ? Number.NaN : Number(line.slice(name.length + 1));
  } catch {
    return Number.NaN;
  }
}

/** Machine-wide CPU jiffies from /proc/stat: all, and stolen by the hypervisor. */
export function cpuJiffies(): { total: number; steal: number; idle: number } {
  try {
    const fields = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return {
      total: fields.reduce((sum, value) => sum + value, 0),
      steal: fields[7] ?? 0,
      idle: (fields[3] ?? 0) + (fields[4] ?? 0),
    };
  } catch {
    return { total: 0, steal: 0, idle: 0 };
  }
}

/**
 * Share of the machine's CPU time since `since` that the hypervisor stole and that was idle:
 * on a shared VM, rounds with high steal are slow for reasons outside the code measured.
 */
export function cpuShares(since: { total: number; steal: number; idle: number }): {
  steal: number;
  idle: number;
} {
  const now = cpuJiffies();
  const total = now.total - since.total;
  if (total <= 0) return { steal: 0, idle: 0 };
  return {
    steal: round((now.steal - since.steal) / total, 2),
    idle: round((now.idle - since.idle) / total, 2),
  };
}

/** The soft and hard open-file limits children get (`ulimit -n`, `ulimit -Hn`). */
export function fdLimits(): { soft: number; hard: number } {
  const out = spawnSync('/bin/sh', ['-c', 'ulimit -n; ulimit -Hn'], { encoding: 'utf8' })
    .stdout.trim()
    .split('\n');
  const parse = (text: string | undefined): number =>
    text === 'unlimited' ? Number.POSITIVE_INFINITY : Number(text);
  return { soft: parse(out[0]), hard: parse(out[1]) };
}

/**
 * Fails early, saying what is needed, when one process would need more descriptors than the
 * hard limit allows (children raise their soft limit to the hard one themselves).
 */
export function requireFds(perProcess: number): void {
  const { soft, hard } = fdLimits();
  process.stdout.write(
    `fd limit: soft ${soft}, hard ${hard}; children raise soft to hard; need ${perProcess} per process\n`,
  );
  if (hard < perProcess) {
    throw new Error(
      `this run needs ${perProcess} open files per process but the hard limit is ${hard}: run as root with \`ulimit -n ${perProcess + 1000}\` first`,
    );
  }
}

/** Which node sources were measured: the commit, and whether packages/ had uncommitted changes. */
export function sourceVersion(): { commit: string; packagesDirty: boolean | 'unknown' } {
  const fromEnv = process.env.SIGMESH_BENCH_COMMIT;
  if (fromEnv !== undefined && fromEnv !== '') return { commit: fromEnv, packagesDirty: false };
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' });
  if (head.status !== 0) return { commit: 'unknown', packagesDirty: 'unknown' };
  const status = spawnSync('git', ['status', '--porcelain', '--', 'packages'], {
    encoding: 'utf8',
  });
  return { commit: head.stdout.trim(), packagesDirty: status.stdout.trim() !== '' };
}

/** What the numbers were measured on. */
export function machine(): Record<string, unknown> {
  return {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    platform: `${process.platform}-${process.arch}`,
  };
}

/**
 * `bench/results/<area>-<yyyy-mm-dd>.json` for today (UTC) unless SIGMESH_BENCH_RESULTS names
 * another file. Areas: `node-core` (the default), `mesh`, `client`.
 */
export function resultsFile(area = 'node-core'): string {
  const fromEnv = process.env.SIGMESH_BENCH_RESULTS;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return fileURLToPath(
    new URL(`../results/${area}-${new Date().toISOString().slice(0, 10)}.json`, import.meta.url),
  );
}

/** The results file's current content (empty when there is none yet). */
export function loadResults(area = 'node-core'): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(resultsFile(area), 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Merges `section` into the results file, so each benchmark script adds its own part. */
export function saveResults(name: string, section: unknown, area = 'node-core'): string {
  const file = resultsFile(area);
  mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
  const all = loadResults(area);
  all.machine = machine();
  all[name] = {
    measuredAt: new Date().toISOString(),
    source: sourceVersion(),
    ...(section as Record<string, unknown>),
  };
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
  return file;
}

/** Reads `--name value` from argv, or the fallback. */
export function argument(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

/** Round to `digits` significant decimals for the report. */
export function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
