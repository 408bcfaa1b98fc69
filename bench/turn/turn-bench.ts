/**
 * Relayed packets/s and Mbit/s through sigmesh's TURN server and through coturn, with the same
 * load client, interleaved round by round. Needs `turnserver` (apt-get install -y coturn) and must
 * run inside a private network namespace:
 *
 *   unshare -n sh -c 'ip link set lo up; node --conditions=source --import tsx bench/turn/turn-bench.ts'
 *
 * Options (env): ROUNDS (3), DURATION_MS (3000), FLOWS (4), SIZES (100,1000), WINDOW (32).
 * Writes bench/results/turn-<date>.json and prints a markdown table.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { runLoad, type LoadResult } from './turn-load-client.js';

const SECRET = 'bench-secret';
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const DURATION_MS = Number(process.env.DURATION_MS ?? 3000);
const FLOWS = Number(process.env.FLOWS ?? 4);
const BATCH = Number(process.env.WINDOW ?? 32);
const SIZES = (process.env.SIZES ?? '100,1000').split(',').map(Number);
const OURS_PORT = 3478;
const COTURN_PORT = 3479;

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}`)),
      timeoutMs,
    );
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${seen.slice(-500)}`)));
  });
}

async function startServers(): Promise<ChildProcess[]> {
  const ours = spawn(
    process.execPath,
    [
      ...(process.env.PROF === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir=/tmp/turnprof']),
      '--conditions=source',
      '--import',
      'tsx',
      new URL('./our-turn-server.ts', import.meta.url).pathname,
      String(OURS_PORT),
      SECRET,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const coturn = spawn(
    'turnserver',
    [
      '-n',
      '--listening-ip=127.0.0.1',
      `--listening-port=${COTURN_PORT}`,
      '--relay-ip=127.0.0.1',
      '--use-auth-secret',
      `--static-auth-secret=${SECRET}`,
      '--realm=sigmesh',
      '--allow-loopback-peers',
      '--no-cli',
      '--no-tls',
      '--no-dtls',
      '--log-file=stdout',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await Promise.all([
    waitForLine(ours, /ready/, 20_000),
    waitForLine(coturn, /Total (General|UDP|auth)|relay threads|listener opened/i, 20_000),
  ]);
  return [ours, coturn];
}

interface Row {
  readonly server: 'sigmesh' | 'coturn';
  readonly payloadBytes: number;
  readonly round: number;
  readonly result: LoadResult;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const children = await startServers();
const rows: Row[] = [];
try {
  for (const payloadBytes of SIZES) {
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which server goes first so neither always runs on a warmer machine.
      const order =
        round % 2 === 0 ? (['sigmesh', 'coturn'] as const) : (['coturn', 'sigmesh'] as const);
      for (const server of order) {
        const result = await runLoad({
          port: server === 'sigmesh' ? OURS_PORT : COTURN_PORT,
          secret: SECRET,
          flows: FLOWS,
          payloadBytes,
          durationMs: DURATION_MS,
          maxPackets: 2_000_000,
          batch: BATCH,
        });
        rows.push({ server, payloadBytes, round, result });
        process.stderr.write(
          `${server} ${payloadBytes} B round ${round}: ${Math.round(result.packetsPerSecond)} pkt/s, ${result.mbitPerSecond.toFixed(1)} Mbit/s, loss ${(result.loss * 100).toFixed(1)}%\n`,
        );
      }
    }
  }
} finally {
  for (const child of children) child.kill('SIGTERM');
}

const summary = SIZES.map((payloadBytes) => {
  const pick = (server: string, f: (r: LoadResult) => number): number =>
    median(
      rows
        .filter((r) => r.server === server && r.payloadBytes === payloadBytes)
        .map((r) => f(r.result)),
    );
  const ours = {
    pps: pick('sigmesh', (r) => r.packetsPerSecond),
    mbit: pick('sigmesh', (r) => r.mbitPerSecond),
    loss: pick('sigmesh', (r) => r.loss),
  };
  const coturn = {
    pps: pick('coturn', (r) => r.packetsPerSecond),
    mbit: pick('coturn', (r) => r.mbitPerSecond),
    loss: pick('coturn', (r) => r.loss),
  };
  // Ratio within each round (the two runs of a round are back to back), to show the spread.
  const roundRatios = [...new Array<undefined>(ROUNDS)].map((_, round) => {
    const of = (server: string): number =>
      rows.find((r) => r.server === server && r.payloadBytes === payloadBytes && r.round === round)
        ?.result.packetsPerSecond ?? 0;
    return of('coturn') === 0 ? 0 : of('sigmesh') / of('coturn');
  });
  return {
    payloadBytes,
    ours,
    coturn,
    ratio: coturn.pps === 0 ? 0 : ours.pps / coturn.pps,
    roundRatios,
  };
});

const date = new Date().toISOString().slice(0, 10);
const environment = {
  /** 1, 5 and 15 minute load averages when the run ended: the machine is shared. */
  loadAverage: loadavg(),
  node: process.version,
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  rounds: ROUNDS,
  durationMs: DURATION_MS,
  flows: FLOWS,
  window: BATCH,
};
mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL(`../results/turn-${date}.json`, import.meta.url),
  `${JSON.stringify({ date, environment, summary, rows }, null, 2)}\n`,
);

const lines = [
  '| payload | sigmesh pkt/s | sigmesh Mbit/s | coturn pkt/s | coturn Mbit/s | sigmesh / coturn (medians) | per-round ratios |',
  '|---:|---:|---:|---:|---:|---:|---|',
  ...summary.map(
    (s) =>
      `| ${s.payloadBytes} B | ${Math.round(s.ours.pps).toLocaleString('en')} | ${s.ours.mbit.toFixed(1)} | ${Math.round(s.coturn.pps).toLocaleString('en')} | ${s.coturn.mbit.toFixed(1)} | ${s.ratio.toFixed(2)}× | ${s.roundRatios.map((r) => r.toFixed(2)).join(', ')} |`,
  ),
];
process.stdout.write(`${lines.join('\n')}\n`);
