import { spawn } from 'node:child_process';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { NodeOptions } from '@sigmesh/node';

/**
 * A loopback testnet of `nodes` sigmesh nodes in a child process (killed by its PID when the test
 * ends), waited on until every node lists every other at `/nodes`. Unlike an in-process testnet,
 * the nodes' load and so their PoW price do not include the test's own clients. `nodeOptions`
 * must be JSON (no logger, no injected clock). The test fails if a node logged a warning.
 */
export async function startTestnetProcess(
  t: TestContext,
  nodes: number,
  nodeOptions: NodeOptions = {},
): Promise<string[]> {
  const script = fileURLToPath(new URL('./testnet-child.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', script, JSON.stringify({ nodes, nodeOptions })],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const warnings: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.after(async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    if (warnings.length > 0) throw new Error(`a node logged warnings:\n${warnings.join('')}`);
  });
  const urls = await new Promise<string[]>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the testnet process exited (${code})`)));
    child.on('message', (message: { type: string; urls?: string[]; text?: string }) => {
      if (message.type === 'warning') warnings.push(message.text ?? '');
      if (message.type === 'ready') resolve(message.urls ?? []);
    });
  });
  const deadline = Date.now() + 20_000;
  for (const url of urls) {
    for (;;) {
      const listed = (await (
        await fetch(`${url}/nodes`, { headers: { accept: 'application/json' } })
      ).json()) as { nodes: unknown[] };
      if (listed.nodes.length >= nodes - 1) break;
      if (Date.now() > deadline) throw new Error('the testnet nodes did not find each other');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return urls;
}
