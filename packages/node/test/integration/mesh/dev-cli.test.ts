import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { runCli } from '../../../src/cli/run-cli.js';
import { waitFor } from '../../helpers/wait-for.js';

const bin = new URL('../../../bin/sigmesh.js', import.meta.url).pathname;

test('sigmesh listen on node 2 prints what sigmesh post sent to node 1, on a sigmesh dev --nodes 3 mesh', async (t) => {
  const dev = spawn(process.execPath, [bin, 'dev', '--nodes', '3'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(async () => {
    if (dev.exitCode === null) {
      dev.kill('SIGINT');
      await once(dev, 'exit');
    }
  });
  const urls: string[] = [];
  for await (const line of createInterface({ input: dev.stdout })) {
    const match = /^node (\d+) (http:\/\/\S+) ([0-9a-f]{64})$/.exec(line);
    assert.ok(match, `unexpected line ${line}`);
    urls.push(match[2]!);
    if (urls.length === 3) break;
  }
  const lines: string[] = [];
  const stop = new AbortController();
  const listening = runCli(['listen', urls[1]!, 'dev-room'], {
    out: (l) => lines.push(l),
    err: () => undefined,
    env: {},
    signal: stop.signal,
  });
  await waitFor(() => lines.length > 0, 'the welcome');
  // The message only arrives once node 1 and node 2 found each other for this room.
  await waitFor(
    async () => {
      const code = await runCli(['post', urls[0]!, 'dev-room', 'across the mesh'], {
        out: () => undefined,
        err: () => undefined,
        env: {},
      });
      assert.equal(code, 0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      return lines.some((l) => l.includes('across the mesh'));
    },
    'the message on node 2',
    15_000,
  );
  const message = lines
    .map((l) => JSON.parse(l) as { event: string; data: { data?: unknown } })
    .find((e) => e.event === 'message');
  assert.equal(message?.data.data, 'across the mesh');
  stop.abort();
  assert.equal(await listening, 0);
  dev.kill('SIGINT');
  const [code] = (await once(dev, 'exit')) as [number | null];
  assert.equal(code, 0, 'sigmesh dev stops cleanly on Ctrl-C');
});
