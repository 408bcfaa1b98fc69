/**
 * Helpers for interop tests against third-party STUN/TURN tools (Debian's coturn package).
 * Run these tests inside a private network namespace: `unshare -n sh -c 'ip link set lo up; …'`.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { TestContext } from 'node:test';
import { StunMethod } from '../../src/turn/stun-message.js';
import { request } from '../turn/turn-test-client.js';
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

/**
 * A port on 127.0.0.1 free for both UDP and TCP (coturn listens on both), picked outside the
 * kernel's ephemeral range (32768-60999) so an outgoing connection cannot take it before coturn
 * binds it.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const udp = createSocket('udp4');
    const tcp = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(port, '127.0.0.1', resolve);
      });
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(port, '127.0.0.1', resolve);
      });
      return port;
    } catch {
      // taken: try another
    } finally {
      try {
        udp.close();
      } catch {
        // never bound
      }
      tcp.close();
    }
  }
  throw new Error('no port free for both UDP and TCP');
}

/** Starts coturn with TURN REST credentials on 127.0.0.1:port; resolves once it answers STUN; stops it after the test. */
export async function startCoturn(t: TestContext, port: number, secret: string): Promise<void> {
  const child = spawn(
    'turnserver',
    [
      '-n',
      '--listening-ip=127.0.0.1',
      `--listening-port=${port}`,
      '--relay-ip=127.0.0.1',
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=sigmesh',
      '--allow-loopback-peers',
      '--no-cli',
      '--no-tls',
      '--no-dtls',
      '--log-file=stdout',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  t.after(() => {
    child.kill('SIGTERM');
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // Ready when it answers a STUN Binding request.
  const probe = createSocket('udp4');
  try {
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`coturn exited ${child.exitCode}: ${output.slice(-400)}`);
      if (Date.now() > deadline) throw new Error(`coturn did not answer: ${output.slice(-400)}`);
      probe.send(request(StunMethod.binding, []).bytes, port, '127.0.0.1');
      try {
        await once(probe, 'message', { signal: AbortSignal.timeout(200) });
        return;
      } catch {
        // not yet
      }
    }
  } finally {
    probe.close();
  }
}
