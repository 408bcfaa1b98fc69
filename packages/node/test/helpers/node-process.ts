import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';
import { createLocalDht, type LocalDht } from '../../src/index.js';

const entry = new URL('./sigmesh-from-source.ts', import.meta.url).pathname;

/** A `sigmesh start` running as its own process (from source, through tsx). */
export interface NodeProcess {
  readonly url: string;
  readonly id: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Every log line it printed so far (JSON). */
  readonly log: string[];
  /** Sends a signal (SIGKILL, SIGSTOP, SIGCONT, SIGTERM). */
  signal(name: NodeJS.Signals): void;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  readonly exited: Promise<number | string>;
}

/**
 * Starts `sigmesh start` in a separate process with `args` (on 127.0.0.1, port 0, a fresh data
 * dir, no public DHT unless `args` pass a bootstrap) and resolves once it listens. The process is
 * killed (SIGKILL after SIGCONT) when the test ends.
 */
export async function spawnNode(
  t: TestContext,
  args: readonly string[],
  options: { dataDir?: string; port?: number } = {},
): Promise<NodeProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'sigmesh-proc-'));
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      entry,
      'start',
      '--host',
      '127.0.0.1',
      '--port',
      String(options.port ?? 0),
      '--turn-port',
      '0',
      '--data-dir',
      dataDir,
      '--pow-base-difficulty',
      '16',
      '--pow-free-messages',
      '1000',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log: string[] = [];
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited;
    }
    if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
  });
  createInterface({ input: child.stderr }).on('line', (line) => log.push(line));
  const listening = new Promise<{ url: string; id: string }>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      log.push(line);
      if (!line.includes('sigmesh node listening')) return;
      const record = JSON.parse(line) as { publicUrl: string; nodeId: string };
      resolve({ url: record.publicUrl, id: record.nodeId });
    });
    void exited.then((code) => reject(new Error(`node exited (${code}):\n${log.join('\n')}`)));
  });
  const timeout = AbortSignal.timeout(20_000);
  const { url, id } = await Promise.race([
    listening,
    new Promise<never>((_, reject) =>
      timeout.addEventListener('abort', () => reject(new Error('node did not start in 20 s'))),
    ),
  ]);
  return {
    url,
    id,
    pid: child.pid!,
    child,
    log,
    signal: (name) => child.kill(name),
    exited,
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
