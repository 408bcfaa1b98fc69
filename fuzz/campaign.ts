/**
 * The fuzzing campaign: every target for N generated inputs (default 1,000,000), one after the
 * other, with inputs per second, the slowest input and the heap kept, written to
 * bench/results/fuzz-<date>.json (fuzz-<date>-<time>.json when that exists: a recorded campaign
 * is never overwritten). docs/security.md § Fuzzing describes the targets and oracles.
 *
 *   npm run fuzz -- [--inputs N] [--only name,name] [--seed S] [--out FILE|-] [--list]
 *
 * Exit status 1 when any target found an oracle violation (each is printed with its seed, path
 * and shrunk input, so `--only NAME --seed S` replays it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { runTarget, type TargetRun } from './lib/run-target.js';
import { allTargets } from './targets/all-targets.js';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const { values } = parseArgs({
  options: {
    inputs: { type: 'string', default: '1000000' },
    only: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    list: { type: 'boolean', default: false },
  },
});

if (values.list) {
  for (const target of allTargets) console.log(`${target.name}\n  ${target.covers.join('\n  ')}`);
  process.exit(0);
}

const inputs = Number(values.inputs);
if (!Number.isSafeInteger(inputs) || inputs < 1)
  throw new RangeError(`--inputs ${values.inputs}: not a count`);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
const only = values.only?.split(',');
const unknown = only?.filter((name) => !allTargets.some((t) => t.name === name)) ?? [];
if (unknown.length > 0) throw new RangeError(`unknown targets: ${unknown.join(', ')} (see --list)`);
const targets = allTargets.filter((t) => only === undefined || only.includes(t.name));
if ((globalThis as { gc?: unknown }).gc === undefined)
  console.log('(run node with --expose-gc to measure the heap kept by each target)');

// The commit the run starts from (HEAD may move while a long campaign runs).
const commit = gitCommit();
console.log(
  `fuzz campaign: ${targets.length} targets × ${inputs.toLocaleString('en')} inputs, seed ${seed}`,
);
const runs: TargetRun[] = [];
const started = performance.now();
for (const target of targets) {
  let lastReport = 0;
  const run = await runTarget(target, {
    inputs,
    seed,
    progress: (done, seconds) => {
      if (seconds - lastReport < 30 || done >= inputs) return;
      lastReport = seconds;
      console.log(
        `  ${target.name}: ${done.toLocaleString('en')} inputs, ${rate(done / seconds)}/s`,
      );
    },
  });
  runs.push(run);
  console.log(summary(run));
  if (run.failure !== undefined) {
    console.log(`    seed ${run.failure.seed}, path ${run.failure.path}`);
    console.log(`    ${run.failure.error}`);
    console.log(`    input: ${run.failure.input.slice(0, 2000)}`);
  }
}
const seconds = (performance.now() - started) / 1000;
const total = runs.reduce((n, run) => n + run.inputs, 0);
const failed = runs.filter((run) => run.failure !== undefined);
console.log(
  `total: ${total.toLocaleString('en')} inputs in ${seconds.toFixed(1)} s (${rate(total / seconds)}/s); ${failed.length} target(s) failed`,
);

const out = values.out ?? defaultOut();
if (out !== '-') {
  mkdirSync(dirname(out), { recursive: true });
  const result = {
    date: new Date().toISOString(),
    commit,
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    inputsPerTarget: inputs,
    seed,
    seconds,
    inputs: total,
    targets: runs,
  };
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`results: ${out}`);
}
process.exitCode = failed.length > 0 ? 1 : 0;

function summary(run: TargetRun): string {
  const heap =
    run.heapGrowthBytes === undefined
      ? ''
      : `, heap kept ${(run.heapGrowthBytes / 2 ** 20).toFixed(1)} MiB`;
  const verdict = run.failure === undefined ? 'ok' : 'FAILED';
  return `${run.name.padEnd(22)} ${run.inputs.toLocaleString('en').padStart(10)} inputs ${run.seconds.toFixed(1).padStart(7)} s ${rate(run.inputsPerSecond).padStart(8)}/s, slowest ${run.slowestInputMs.toFixed(1)} ms CPU${heap}: ${verdict}`;
}

function rate(perSecond: number): string {
  return Math.round(perSecond).toLocaleString('en');
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
  } catch {
    return undefined;
  }
}

/** bench/results/fuzz-<date>.json, or with the time added when that day's file exists already. */
function defaultOut(): string {
  const now = new Date().toISOString();
  const dated = join(root, 'bench', 'results', `fuzz-${now.slice(0, 10)}.json`);
  if (!existsSync(dated)) return dated;
  return join(
    root,
    'bench',
    'results',
    `fuzz-${now.slice(0, 10)}-${now.slice(11, 19).replaceAll(':', '')}.json`,
  );
}
