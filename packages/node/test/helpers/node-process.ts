/**
 * A node in its own process, started from source (`src/cli/main.ts` through tsx) under a chosen
 * open-file limit (`ulimit -n` in bash, soft and hard), for tests that must exhaust a resource
 * of the whole process — something an in-process node would share with the test runner.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';

const repoRoot = new URL('../../../../', import.meta.url).pathname;
const mainModule = new URL('../../src/cli/main.ts', import.meta.url).pathname;

/** A running node process. */
export interface NodeProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The URL the node logged it listens on. */
  readonly url: string;
  readonly port: number;
  /** Every log line so far (pino JSON, parsed), and stderr text. */
  readonly logs: Record<string, unknown>[];
  stderr(): string;
  /** Resolves with the exit code and signal when the process ends. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True while the process has not exited. */
  alive(): boolean;
  /** Open file descriptors of the process now (entries of /proc/PID/fd). */
  openFds(): number;
}

/**
 * Spawns `sigmesh start` from source with `--host 127.0.0.1 --port 0 --dht-bootstrap none
 * --turn-port 0` plus `args`, under `ulimit -n nofile`; resolves once it logged its URL.
 * The process is killed (SIGKILL, by its own pid) when the test ends.
 */
export async function spawnNodeProcess(
  t: TestContext,
  options: { nofile: number; args?: readonly string[]; startTimeoutMs?: number },
): Promise<NodeProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sigmesh-proc-'));
  const nodeArgs = [
    '--conditions=source',
    '--import',
    'tsx',
    mainModule,
    'start',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--turn-port',
    '0',
    '--dht-bootstrap',
    'none',
    '--data-dir',
    dataDir,
    ...(options.args ?? []),
  ];
  // `ulimit -n` sets soft and hard limit alike, so Node's own start-up raise cannot undo it.
  const child = spawn(
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
      child.kill('SIGKILL');
      await exited;
    }
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const logs: Record<string, unknown>[] = [];
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the node did not start in time:\n${stderr}`)),
      options.startTimeoutMs ?? 15_000,
    );
    lines.on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(entry);
      if (typeof entry.publicUrl === 'string') {
        clearTimeout(timer);
        resolve(entry.publicUrl);
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
    logs,
    stderr: () => stderr,
    exited,
    alive: () => child.exitCode === null && child.signalCode === null,
    openFds: () => readdirSync(`/proc/${pid}/fd`).length,
  };
}
