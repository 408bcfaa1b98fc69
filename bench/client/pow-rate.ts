/**
 * Proof-of-work hashes per second: the client's hash-wasm search in Debian Chromium (main thread,
 * a worker, and the real solver from the browser bundle) against native SHA-256 in the same run
 * (Node's node:crypto search, which the node and Node clients use, and OpenSSL's own speed test),
 * plus hash-wasm, @noble/hashes and node:crypto side by side in Node, and how long a fresh
 * solver takes to pay its first trivial challenge (worker start, hash-wasm compile). Interleaved rounds (the
 * order rotates each round), medians.
 *
 *   unshare -n sh -c 'ip link set lo up && node --conditions=source --import tsx bench/client/pow-rate.ts'
 *
 * Options: --rounds 5, --attempts 2000000 (per measure and round; time-bounded by --max-ms 4000),
 * --solver-difficulty 4194304 (the client's maxPowDifficulty; the solver's run time is random,
 * its attempts are counter + 1), --solver-max-ms 60000.
 * Writes the `powRate` section of bench/results/client-<date>.json.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { nodeCryptoSearch } from '@sigmesh/node';
import {
  POW_PREFIX_BYTES,
  POW_VERSION,
  encodeChallenge,
  encodeChallengeFields,
  nobleSearch,
  type PowSearch,
} from '@sigmesh/protocol';
import type { Browser, Page } from 'playwright-core';
import { createHashWasmSearch } from '../../packages/client/src/pow/hash-wasm-search.js';
import { argument, median, round } from '../lib/bench-report.js';
import { chromiumVersion, launchChromium } from './chromium.js';
import { saveClientResults } from './client-results.js';
import { powPages } from './page-bundles.js';
import type { PowColdPageApi } from './pages/pow-cold-page.js';
import type { PowPageApi } from './pages/pow-page.js';
import { countAttempts, rateOf, type PowCount, type YieldMode } from './pow-count.js';
import { startStaticServer } from './static-server.js';

const rounds = Number(argument('rounds', '5'));
const attempts = Number(argument('attempts', '2000000'));
const maxMs = Number(argument('max-ms', '4000'));
const solverDifficulty = Number(argument('solver-difficulty', String(1 << 22)));
const solverMaxMs = Number(argument('solver-max-ms', '60000'));
/** Counters per chunk in the client's PoW jobs (packages/client/src/pow/pow-jobs.ts). */
const SOLVER_CHUNK = 8192;

/** One measured rate in one round. */
interface Sample {
  readonly round: number;
  readonly measure: string;
  readonly attempts: number;
  readonly ms: number;
  readonly rate: number;
  readonly note?: string;
}

function nodeMeasure(search: PowSearch): () => Promise<PowCount> {
  return () =>
    Promise.resolve(countAttempts(search, randomBytes(POW_PREFIX_BYTES), attempts, maxMs));
}

/**
 * OpenSSL's single-thread SHA-256 (`openssl speed -evp sha256`) over `bytes`-byte inputs. 19
 * bytes is one attempt's tail after the midstate (one compression, like an attempt); 64 bytes is
 * the figure TEST-ENVIRONMENT.md quotes (two compressions per hash, with padding).
 */
function opensslMeasure(bytes: number): () => Promise<PowCount> {
  return () => {
    const seconds = Math.max(1, Math.round(maxMs / 1000));
    const run = spawnSync(
      'openssl',
      ['speed', '-mr', '-seconds', String(seconds), '-bytes', String(bytes), '-evp', 'sha256'],
      { encoding: 'utf8', timeout: (seconds + 10) * 1000 },
    );
    // Machine-readable lines: "+R:<count>:sha256:<seconds>" gives hashes done and the time.
    // (OpenSSL 3.0 prints them on stderr.)
    const result = /^\+R:(\d+):[^:]+:([\d.]+)$/m.exec(`${run.stdout}\n${run.stderr}`);
    if (result === null) throw new Error(`openssl speed gave no +R line: ${run.stderr}`);
    return Promise.resolve({ attempts: Number(result[1]), ms: Number(result[2]) * 1000 });
  };
}

function mainThreadMeasure(page: Page): () => Promise<PowCount> {
  return () =>
    page.evaluate(
      ({ prefix, count, limit }) =>
        (window as unknown as { benchPow: PowPageApi }).benchPow.mainThread(prefix, count, limit),
      { prefix: [...randomBytes(POW_PREFIX_BYTES)], count: attempts, limit: maxMs },
    );
}

/** The search in a page's worker; with a yield mode, in the solver's chunked shape. */
function workerMeasure(page: Page, yieldMode: YieldMode): () => Promise<PowCount> {
  return () =>
    page.evaluate(
      ({ prefix, count, limit, mode, chunk }) =>
        (window as unknown as { benchPow: PowPageApi }).benchPow.worker(
          prefix,
          count,
          limit,
          mode,
          chunk,
        ),
      {
        prefix: [...randomBytes(POW_PREFIX_BYTES)],
        count: attempts,
        limit: maxMs,
        mode: yieldMode,
        chunk: SOLVER_CHUNK,
      },
    );
}

function mainThreadNobleMeasure(page: Page): () => Promise<PowCount> {
  return () =>
    page.evaluate(
      ({ prefix, count, limit }) =>
        (window as unknown as { benchPow: PowPageApi }).benchPow.mainThreadNoble(
          prefix,
          count,
          limit,
        ),
      { prefix: [...randomBytes(POW_PREFIX_BYTES)], count: attempts / 4, limit: maxMs },
    );
}

/** A well-formed challenge of `difficulty` (the solver checks form only; no node verifies it). */
function benchChallenge(difficulty: number): string {
  const signed = encodeChallengeFields({
    version: POW_VERSION,
    issuedAt: Math.floor(Date.now() / 1000),
    ttl: 3600,
    difficulty,
    scopeTag: randomBytes(8),
    nonce: randomBytes(8),
  });
  return encodeChallenge(signed, randomBytes(16));
}

function solverMeasure(page: Page, difficulty: number, limit: number): () => Promise<PowCount> {
  return async () => {
    const run = await page.evaluate(
      ({ challenge, level, bound, ms }) =>
        (window as unknown as { benchPow: PowPageApi }).benchPow.solver(
          challenge,
          level,
          bound,
          ms,
        ),
      {
        challenge: benchChallenge(difficulty),
        level: difficulty,
        bound: [...randomBytes(32)],
        ms: limit,
      },
    );
    return { attempts: run.attempts, ms: run.ms };
  };
}

/** A fresh page (own context, nothing compiled yet) pays one trivial challenge: ms it took. */
async function coldStart(browser: Browser, origin: string): Promise<number> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${origin}/pow-cold.html`);
    await page.waitForFunction(() => 'benchCold' in window, undefined, { timeout: 10_000 });
    return await page.evaluate(
      ({ challenge, limit }) =>
        (window as unknown as { benchCold: PowColdPageApi }).benchCold.coldStart(challenge, limit),
      { challenge: benchChallenge(1), limit: solverMaxMs },
    );
  } finally {
    await context.close();
  }
}

async function main(): Promise<void> {
  const server = await startStaticServer(await powPages());
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.origin}/pow.html`);
    await page.waitForFunction(() => 'benchPow' in window, undefined, { timeout: 10_000 });
    const hashWasm = await createHashWasmSearch();

    const measures: Record<string, () => Promise<PowCount>> = {
      'chromium solver (createPowSolver, worker)': solverMeasure(
        page,
        solverDifficulty,
        solverMaxMs,
      ),
      'chromium worker, raw search': workerMeasure(page, 'none'),
      'chromium worker, 8192-chunks + setTimeout(0)': workerMeasure(page, 'setTimeout'),
      'chromium worker, 8192-chunks + MessageChannel': workerMeasure(page, 'messageChannel'),
      'chromium main thread, raw search': mainThreadMeasure(page),
      'chromium main thread, @noble/hashes search': mainThreadNobleMeasure(page),
      'node hash-wasm search': nodeMeasure(hashWasm),
      'node node:crypto search': nodeMeasure(nodeCryptoSearch),
      'node @noble/hashes search': nodeMeasure(nobleSearch),
      'openssl speed sha256, 19 B': opensslMeasure(19),
      'openssl speed sha256, 64 B': opensslMeasure(64),
    };
    const names = Object.keys(measures);

    // Warm-up, untimed: JIT, wasm compile, the solver's worker start.
    process.stdout.write('warm-up…\n');
    await solverMeasure(page, 20_000, solverMaxMs)();
    for (const name of names.filter((n) => !n.startsWith('openssl') && !n.includes('solver')))
      await measures[name]!();

    const samples: Sample[] = [];
    const coldStarts: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const order = names.map((_, i) => names[(i + r) % names.length]!);
      // A fresh page's first solver payment (worker start, hash-wasm compile), in its own context.
      coldStarts.push(round(await coldStart(browser, server.origin), 1));
      process.stdout.write(
        `round ${r + 1}/${rounds}  solver cold start: ${coldStarts.at(-1)} ms\n`,
      );
      for (const name of order) {
        const count = await measures[name]!();
        const sample = { round: r, measure: name, ...count, rate: rateOf(count) };
        samples.push(sample);
        process.stdout.write(
          `round ${r + 1}/${rounds}  ${name.padEnd(44)} ${Math.round(sample.rate).toLocaleString('en').padStart(10)} hashes/s  (${count.attempts.toLocaleString('en')} in ${Math.round(count.ms)} ms)\n`,
        );
      }
    }

    const medians = Object.fromEntries(
      names.map((name) => [
        name,
        Math.round(median(samples.filter((s) => s.measure === name).map((s) => s.rate))),
      ]),
    );
    const ratio = (a: string, b: string): number => round(medians[a]! / medians[b]!, 3);
    const solver = 'chromium solver (createPowSolver, worker)';
    const ratios = {
      'chromium solver / node node:crypto search': ratio(solver, 'node node:crypto search'),
      'chromium solver / openssl 19 B': ratio(solver, 'openssl speed sha256, 19 B'),
      'chromium solver / openssl 64 B': ratio(solver, 'openssl speed sha256, 64 B'),
      'chromium solver / chromium worker raw': ratio(solver, 'chromium worker, raw search'),
      'chromium worker 8192+setTimeout / raw': ratio(
        'chromium worker, 8192-chunks + setTimeout(0)',
        'chromium worker, raw search',
      ),
      'chromium worker 8192+MessageChannel / raw': ratio(
        'chromium worker, 8192-chunks + MessageChannel',
        'chromium worker, raw search',
      ),
      'chromium worker raw / node hash-wasm': ratio(
        'chromium worker, raw search',
        'node hash-wasm search',
      ),
      'node hash-wasm / node node:crypto': ratio(
        'node hash-wasm search',
        'node node:crypto search',
      ),
      'node @noble/hashes / node node:crypto': ratio(
        'node @noble/hashes search',
        'node node:crypto search',
      ),
      'node node:crypto / openssl 19 B': ratio(
        'node node:crypto search',
        'openssl speed sha256, 19 B',
      ),
    };
    process.stdout.write('\nmedians (hashes/s):\n');
    for (const name of names)
      process.stdout.write(
        `  ${name.padEnd(44)} ${medians[name]!.toLocaleString('en').padStart(10)}\n`,
      );
    process.stdout.write('ratios:\n');
    for (const [name, value] of Object.entries(ratios))
      process.stdout.write(`  ${name.padEnd(44)} ${value}\n`);
    process.stdout.write(`solver cold start (median): ${round(median(coldStarts), 1)} ms\n`);
    if (pageErrors.length > 0) process.stdout.write(`page errors: ${pageErrors.join('; ')}\n`);

    const file = saveClientResults('powRate', {
      command: `node --conditions=source --import tsx bench/client/pow-rate.ts --rounds ${rounds} --attempts ${attempts} --max-ms ${maxMs} --solver-difficulty ${solverDifficulty}`,
      chromium: chromiumVersion(browser),
      openssl: spawnSync('openssl', ['version'], { encoding: 'utf8' }).stdout.trim(),
      options: { rounds, attempts, maxMs, solverDifficulty, solverMaxMs },
      medians,
      ratios,
      solverColdStartMs: { median: round(median(coldStarts), 1), samples: coldStarts },
      samples,
      pageErrors,
    });
    process.stdout.write(`results: ${file}\n`);
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
