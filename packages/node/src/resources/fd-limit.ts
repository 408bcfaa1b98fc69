/**
 * The process's open-file limit (RLIMIT_NOFILE), read from `/proc/self/limits` on Linux. Every
 * connection, relay socket and file costs one descriptor; a process that runs out cannot accept,
 * cannot open a relay socket and cannot even read its own memory use (`process.memoryUsage()`
 * throws EMFILE), so the node sizes its caps from this number (resource-plan.ts).
 *
 * Node raises the soft limit to the hard one itself when it starts (src/node.cc, PlatformInit;
 * checked on Node 20: `ulimit -Sn 256` becomes 20000 = the hard limit inside node). Only an
 * embedder that turned that off leaves the soft limit lower; for that case
 * {@link raiseFdLimit} runs util-linux's `prlimit` on the process's own pid, which needs no
 * privilege while the new soft limit stays at or below the hard one.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Soft and hard limit; `Infinity` for "unlimited". */
export interface FdLimit {
  readonly soft: number;
  readonly hard: number;
}

/** Parses the "Max open files" row of `/proc/PID/limits`. */
export function parseProcLimits(text: string): FdLimit | undefined {
  const row = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  if (row?.[1] === undefined || row[2] === undefined) return undefined;
  const value = (field: string): number =>
    field === 'unlimited' ? Number.POSITIVE_INFINITY : Number(field);
  const soft = value(row[1]);
  const hard = value(row[2]);
  return Number.isNaN(soft) || Number.isNaN(hard) ? undefined : { soft, hard };
}

/** This process's limit, or `undefined` where `/proc` does not tell (not Linux). */
export function readFdLimit(
  read: () => string = () => readFileSync('/proc/self/limits', 'utf8'),
): FdLimit | undefined {
  try {
    return parseProcLimits(read());
  } catch {
    return undefined;
  }
}

/** What {@link raiseFdLimit} did. */
export interface FdLimitRaise {
  readonly before: FdLimit | undefined;
  readonly after: FdLimit | undefined;
  /** `unchanged`: nothing to do (soft = hard, or unknown); `raised`; `failed` (see `detail`). */
  readonly outcome: 'unchanged' | 'raised' | 'failed';
  readonly detail?: string;
}

/** Raises the soft limit to the hard one with `prlimit --pid <own pid>` when it is lower. */
export function raiseFdLimit(
  deps: { readLimit?: () => FdLimit | undefined; pid?: number } = {},
): FdLimitRaise {
  const readLimit = deps.readLimit ?? (() => readFdLimit());
  const before = readLimit();
  if (before === undefined || before.soft >= before.hard)
    return { before, after: before, outcome: 'unchanged' };
  const hard = before.hard === Number.POSITIVE_INFINITY ? 'unlimited' : String(before.hard);
  const run = spawnSync(
    'prlimit',
    ['--pid', String(deps.pid ?? process.pid), `--nofile=${hard}:${hard}`],
    { encoding: 'utf8', timeout: 2000 },
  );
  const after = readLimit();
  if (after !== undefined && after.soft > before.soft) return { before, after, outcome: 'raised' };
  const detail =
    run.error !== undefined ? run.error.message : run.stderr.trim() || `exit ${run.status}`;
  return { before, after, outcome: 'failed', detail };
}
