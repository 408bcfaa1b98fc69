#!/usr/bin/env node
// Runs the node:test suites through tsx (the same TypeScript as the source, read from `src/`
// through the "source" export condition). Node 20's --test does not expand globs, so this finds
// the files. Tiers come from the path: test/integration/ → integration, test/interop/ → interop,
// e2e/ → e2e, anything else under test/ → unit.
//
// Files run one at a time unless --concurrency says more (the unit tier, which holds no timers
// against a loaded machine, runs two at once in scripts/test-all.sh).
//
//   node scripts/run-tests.mjs [--tier unit|integration|interop|e2e]... [--concurrency N] [file...]
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const tiers = new Set();
const files = [];
let concurrency = 1;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--tier') tiers.add(args[++i]);
  else if (args[i] === '--concurrency') concurrency = Number(args[++i]);
  else files.push(args[i]);
}
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error('run-tests: --concurrency takes a positive integer');
  process.exit(1);
}

function tierOf(file) {
  const parts = relative(root, file).split(sep);
  if (parts[0] === 'e2e') return 'e2e';
  if (parts.includes('integration')) return 'integration';
  if (parts.includes('interop')) return 'interop';
  return 'unit';
}

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (
      name.endsWith('.test.ts') &&
      (path.includes(`${sep}test${sep}`) || path.includes(`${sep}e2e${sep}`))
    )
      out.push(path);
  }
  return out;
}

const selected =
  files.length > 0
    ? files
    : walk(root, [])
        .filter((f) => tiers.size === 0 || tiers.has(tierOf(f)))
        .sort();
if (selected.length === 0) {
  console.error('run-tests: no test files selected');
  process.exit(1);
}
const child = spawn(
  process.execPath,
  [
    '--conditions=source',
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-reporter=spec',
    ...selected,
  ],
  { stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
