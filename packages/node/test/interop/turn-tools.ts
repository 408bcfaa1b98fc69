/**
 * Helpers for interop tests against third-party STUN/TURN tools (Debian's coturn package).
 * Run these tests inside a private network namespace: `unshare -n sh -c 'ip link set lo up; …'`.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The absolute path of `name` on PATH, or `undefined`. */
export function findBinary(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Why a test must skip when a coturn tool is missing (never pass silently). */
export function missingTools(...names: string[]): string | false {
  const missing = names.filter((name) => findBinary(name) === undefined);
  return missing.length === 0
    ? false
    : `${missing.join(', ')} not installed (apt-get install -y coturn)`;
}

/** Runs a command to completion (killed after `timeoutMs`); resolves with its exit and output. */
export function run(
  command: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
