#!/usr/bin/env node
// Type-checks every project that is not built (tests, the demo, benches, e2e, fuzz), two tsc
// processes at a time: each project checks the sources it imports as well, so one after another
// they took most of a minute on two cores. Run after `npm run build` (`npm run typecheck` does).
//
//   node scripts/typecheck.mjs [--concurrency N]
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const projects = [
  'packages/protocol/test',
  'packages/node/test',
  'packages/client/test',
  'apps/demo',
  'apps/demo/test',
  'bench',
  'e2e',
  'fuzz',
];
const at = process.argv.indexOf('--concurrency');
const concurrency = at === -1 ? 2 : Number(process.argv[at + 1]);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error('typecheck: --concurrency takes a positive integer');
  process.exit(1);
}
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const root = new URL('..', import.meta.url).pathname;

/** Runs tsc on one project; its output is printed whole when it ends, so projects do not interleave. */
function check(project) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, '-p', project], { cwd: root });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => {
      if (output !== '') process.stdout.write(`typecheck ${project}:\n${output}`);
      resolve(code === 0);
    });
  });
}

const queue = [...projects];
let failed = 0;
await Promise.all(
  Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
    for (let project = queue.shift(); project !== undefined; project = queue.shift())
      if (!(await check(project))) failed++;
  }),
);
if (failed > 0) {
  console.error(`typecheck: ${failed} of ${projects.length} projects have errors`);
  process.exit(1);
}
