/**
 * The packages as a user gets them: `scripts/pack-release.mjs` packs the workspace into a
 * temporary release directory, and `npm ci --offline --omit=dev` installs it there. Offline
 * because tests run in a network namespace without the registry: the release lockfile pins the
 * versions the workspace's own `npm ci` already put in the npm cache (scripts/pack-release.mjs
 * says why), so npm reads every dependency from the cache and fails (ENOTCACHED) rather than
 * fetch one.
 */
import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

export const repoRoot = new URL('../../../../', import.meta.url).pathname;
const run = promisify(execFile);

/** Environment for npm and npx in tests: never the registry, no update check. */
export const offlineNpmEnv = {
  npm_config_offline: 'true',
  npm_config_update_notifier: 'false',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
};

/** A release directory with its packages installed; `tarballs` are the packed files. */
export interface PackedInstall {
  readonly dir: string;
  readonly tarballs: string[];
  /** Milliseconds spent packing (build included) and installing. */
  readonly packMs: number;
  readonly installMs: number;
}

/** Packs (after `npm run build`) and installs into a fresh temporary directory, world-readable. */
export async function packAndInstall(): Promise<PackedInstall> {
  const dir = mkdtempSync(join(tmpdir(), 'sigmesh-packed-'));
  // Readable by the unprivileged user the container test runs the node as.
  chmodSync(dir, 0o755);
  const started = Date.now();
  const { stdout } = await run(
    process.execPath,
    [join(repoRoot, 'scripts/pack-release.mjs'), dir],
    {
      cwd: repoRoot,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const tarballs = stdout.split('\n').filter((line) => line.endsWith('.tgz'));
  const packed = Date.now();
  try {
    await run('npm', ['ci', '--omit=dev'], { cwd: dir, env: { ...process.env, ...offlineNpmEnv } });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(
      `npm ci --offline failed in ${dir}: is the npm cache filled (run npm ci in the workspace)?\n${stderr ?? ''}`,
    );
  }
  return { dir, tarballs, packMs: packed - started, installMs: Date.now() - packed };
}

/** A `sigmesh start` process from the installed package, and what its log said. */
export interface InstalledNode {
  readonly child: ChildProcess;
  readonly url: string;
  readonly logs: Record<string, unknown>[];
  stderr(): string;
  /** SIGTERM, then SIGKILL after `ms`; resolves with the exit code and signal. */
  stop(ms?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawns `command args` in a process group of its own and resolves once the node logged its public
 * URL (pino JSON on stdout). Stopping signals the group: `npx` does not pass SIGTERM on to the
 * node it runs, which would outlive it holding the test's pipes.
 */
export async function spawnInstalledNode(
  command: string,
  args: readonly string[],
  options: SpawnOptions,
): Promise<InstalledNode> {
  const child = spawn(command, args, {
    ...options,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // The group is gone already.
    }
  };
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const logs: Record<string, unknown>[] = [];
  const stop = async (
    ms = 10_000,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> => {
    if (child.exitCode === null && child.signalCode === null) {
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), ms);
      const result = await exited;
      clearTimeout(timer);
      return result;
    }
    signalGroup('SIGKILL'); // anything the command left behind in its group
    return exited;
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${command} ${args.join(' ')} did not start in time:\n${stderr}`));
    }, 30_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (typeof entry.publicUrl === 'string') {
          clearTimeout(timer);
          resolve(entry.publicUrl);
        }
      } catch {
        // Not a log line.
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited (${code ?? signal}) before listening:\n${stderr}`));
    });
  });
  return { child, url, logs, stderr: () => stderr, stop };
}

/** Runs a command to completion (bounded by `timeoutMs`); resolves with its output and exit code. */
export async function runCommand(
  command: string,
  args: readonly string[],
  options: SpawnOptions & { timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}
