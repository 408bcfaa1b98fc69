/**
 * `sigmesh start` in its own process, from source (`src/cli/main.ts` through tsx): for tests about
 * the mesh between separate node processes (SIGKILL, SIGSTOP, restarts) and for tests that must
 * exhaust a resource of the whole process (an open-file limit), which an in-process node would
 * share with the test runner.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';
import { createLocalDht, type LocalDht } from '../../src/index.js';

const repoRoot = new URL('../../../../', import.meta.url).pathname;
const mainModule = new URL('../../src/cli/main.ts', import.meta.url).pathname;

/** A running node process. */
export interface NodeProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The URL the node logged it listens on, its port and its node id. */
  readonly url: string;
  readonly port: number;
  readonly id: string;
  /** Every log line so far (pino JSON, parsed). */
  readonly logs: Record<string, unknown>[];
  stderr(): string;
  /** Resolves with the exit code and signal when the process ends. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True while the process has not exited. */
  alive(): boolean;
  /** Open file descriptors of the process now (entries of /proc/PID/fd). */
  openFds(): number;
  /** Sends a signal (SIGKILL, SIGSTOP, SIGCONT, SIGTERM) to this process, by its pid. */
  signal(name: NodeJS.Signals): void;
}

/** Options of {@link spawnNode}. */
export interface SpawnOptions {
  /** More `sigmesh start` flags (they override the defaults below). */
  readonly args?: readonly string[];
  /** Keep the identity here (a restart with the same id); default a fresh temporary dir. */
  readonly dataDir?: string;
  /** HTTP port (a restart at the same URL); default 0. */
  readonly port?: number;
  /** `ulimit -n` for the process, soft and hard alike (Node's own start-up raise cannot undo it). */
  readonly nofile?: number;
  readonly startTimeoutMs?: number;
}

/**
 * Spawns `sigmesh start --host 127.0.0.1 --port 0 --turn-port 0 --dht-bootstrap none` with cheap
 * PoW plus `options.args`; resolves once it logged its URL. The process is killed (SIGCONT, then
 * SIGKILL, by its own pid) when the test ends.
 */
export async function spawnNode(t: TestContext, options: SpawnOptions = {}): Promise<NodeProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'sigmesh-proc-'));
  const nodeArgs = [
    '--conditions=source',
    '--import',
    'tsx',
    mainModule,
    'start',
    '--host',
    '127.0.0.1',
    '--port',
    String(options.port ?? 0),
    '--turn-port',
    '0',
    '--dht-bootstrap',
    'none',
    '--data-dir',
    dataDir,
    '--pow-base-difficulty',
    '16',
    '--pow-free-messages',
    '1000',
    // Every test client shares 127.0.0.1: the address's own allowances are lifted too.
    '--pow-address-free-messages',
    '100000',
    '--unpaid-requests-per-second',
    '100000',
    '--unpaid-burst',
    '1000000',
    ...(options.args ?? []),
  ];
  const child =
    options.nofile === undefined
      ? spawn(process.execPath, nodeArgs, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(
          'bash',
          ['-c', `ulimit -n ${options.nofile} && exec "$0" "$@"`, process.execPath, ...nodeArgs],
          { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
        );
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited;
    }
    if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const logs: Record<string, unknown>[] = [];
  const lines = createInterface({ input: child.stdout });
  const { url, id } = await new Promise<{ url: string; id: string }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the node did not start in time:\n${stderr}`)),
      options.startTimeoutMs ?? 20_000,
    );
    lines.on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(entry);
      if (typeof entry.publicUrl === 'string' && typeof entry.nodeId === 'string') {
        clearTimeout(timer);
        resolve({ url: entry.publicUrl, id: entry.nodeId });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the node exited (${code ?? signal}) before listening:\n${stderr}`));
    });
  });
  const pid = child.pid!;
  return {
    child,
    pid,
    url,
    port: Number(new URL(url).port),
    id,
    logs,
    stderr: () => stderr,
    exited,
    alive: () => child.exitCode === null && child.signalCode === null,
    openFds: () => readdirSync(`/proc/${pid}/fd`).length,
    signal: (name) => child.kill(name),
  };
}

/** A loopback DHT for node processes, closed when the test ends; `bootstrap` is the flag value. */
export async function startProcessDht(
  t: TestContext,
  nodes = 4,
): Promise<{ dht: LocalDht; bootstrap: string }> {
  const dht = await createLocalDht({ nodes });
  t.after(() => dht.close());
  return { dht, bootstrap: dht.bootstrap.map((a) => `${a.host}:${a.port}`).join(',') };
}
