import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { runCli } from '../../src/cli/run-cli.js';
import { captureIo } from '../helpers/capture-io.js';
import { startTestNode } from '../helpers/test-node.js';

const bin = new URL('../../bin/sigmesh.js', import.meta.url).pathname;

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('sigmesh listen prints what sigmesh post sent, as JSON lines; --to reaches one peer', async (t) => {
  const node = await startTestNode(t);
  const stop = new AbortController();
  const listener = captureIo(stop.signal);
  const listening = runCli(['listen', node.url(), 'cli-room'], listener.io);
  t.after(() => stop.abort());
  await until(() => listener.out.length > 0);
  const welcome = JSON.parse(listener.out[0]!) as { event: string; data: { peerId: string } };
  assert.equal(welcome.event, 'welcome');

  const poster = captureIo();
  assert.equal(
    await runCli(['post', node.url(), 'cli-room', 'hello from the cli'], poster.io),
    0,
    poster.err.join('\n'),
  );
  const direct = captureIo();
  assert.equal(
    await runCli(
      ['post', node.url(), 'cli-room', '{"n":1}', '--json', '--to', welcome.data.peerId],
      direct.io,
    ),
    0,
  );
  await until(() => listener.out.filter((l) => l.includes('"event":"message"')).length === 2);
  const messages = listener.out
    .map((l) => JSON.parse(l) as { event: string; data: { data: unknown; to?: string } })
    .filter((e) => e.event === 'message');
  assert.deepEqual(
    messages.map((m) => m.data.data),
    ['hello from the cli', { n: 1 }],
  );
  assert.equal(messages[1]!.data.to, welcome.data.peerId);
  stop.abort();
  assert.equal(await listening, 0);
});

test('sigmesh post exits non-zero when the node refuses or is unreachable', async (t) => {
  const node = await startTestNode(t);
  const missingPeer = captureIo();
  assert.equal(
    await runCli(['post', node.url(), 'r', 'x', '--to', 'f'.repeat(32)], missingPeer.io),
    1,
  );
  assert.match(missingPeer.err.join('\n'), /ROOM_PEER_NOT_FOUND/);
  const nowhere = captureIo();
  assert.equal(await runCli(['post', 'http://127.0.0.1:1', 'r', 'x'], nowhere.io), 1);
  assert.match(nowhere.err.join('\n'), /NODE_UNREACHABLE/);
  const usage = captureIo();
  assert.equal(await runCli(['post', 'not-a-url', 'r'], usage.io), 2);
});

test('the sigmesh binary starts a node, keeps its identity across restarts and stops on SIGTERM', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sigmesh-cli-'));
  const run = async (): Promise<string> => {
    const child = spawn(
      process.execPath,
      [
        bin,
        'start',
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        '--data-dir',
        dataDir,
        '--dht-bootstrap',
        'none',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let url: string | undefined;
    for await (const line of createInterface({ input: child.stdout })) {
      const entry = JSON.parse(line) as { msg: string; publicUrl?: string };
      if (entry.publicUrl !== undefined) {
        url = entry.publicUrl;
        break;
      }
    }
    assert.ok(url, 'the node logs the URL it listens on');
    const info = (await (
      await fetch(`${url}/`, { headers: { accept: 'application/json' } })
    ).json()) as { node: { id: string } };
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0, 'graceful stop exits 0');
    return info.node.id;
  };
  const first = await run();
  assert.equal(await run(), first);
});

test('sigmesh start reports every configuration problem at once and exits 2', async () => {
  const child = spawn(
    process.execPath,
    [bin, 'start', '--port', 'abc', '--bogus', '--log-level', 'loud', '--dht-bootstrap', 'none'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 2);
  assert.match(stderr, /--port: expected a number/);
  assert.match(stderr, /unknown flag --bogus/);
  assert.match(stderr, /logLevel/);
});
