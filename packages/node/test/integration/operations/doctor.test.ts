/**
 * `sigmesh doctor` against a node set up right (every check passes, exit 0) and against the
 * classic mistakes: a proxy that buffers the event stream, TURN turned off, a node giving out
 * the wrong URL — each reported on its own ✗ line with the fix, exit 1.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLocalDht } from '../../../src/index.js';
import { runCli } from '../../../src/cli/run-cli.js';
import { startBufferingProxy } from '../../helpers/buffering-proxy.js';
import { captureIo } from '../../helpers/capture-io.js';
import { startTestNode } from '../../helpers/test-node.js';
import { waitFor } from '../../helpers/wait-for.js';

async function doctor(url: string, ...flags: string[]): Promise<{ code: number; lines: string[] }> {
  const { out, io } = captureIo();
  const code = await runCli(['doctor', url, ...flags], io);
  return { code, lines: out.join('\n').split('\n') };
}

const failed = (lines: string[]): string[] => lines.filter((line) => line.startsWith('✗'));

test('a node set up right passes every check, TURN allocation and DHT included', async (t) => {
  const dht = await createLocalDht({ nodes: 4 });
  t.after(() => dht.close());
  const node = await startTestNode(t, {
    dhtBootstrap: dht.bootstrap.map((a) => `${a.host}:${a.port}`).join(','),
  });
  await waitFor(() => node.dhtStatus().bootstrapped, 'the node to bootstrap');
  const { code, lines } = await doctor(node.url());
  assert.deepEqual(failed(lines), []);
  assert.equal(code, 0, lines.join('\n'));
  for (const check of [
    /^✓ node info/,
    /^✓ status page/,
    /^✓ CORS/,
    /^✓ room stream .*welcome after \d+ ms/,
    /^✓ TURN credentials/,
    /^✓ TURN relay \(UDP Allocate\): relay 127\.0\.0\.1:\d+ allocated and released/,
    /^✓ status/,
    /^✓ metrics/,
    /^✓ DHT: bootstrapped/,
  ])
    assert.ok(
      lines.some((line) => check.test(line)),
      `${check} not in:\n${lines.join('\n')}`,
    );
  assert.equal(lines.at(-1), 'All checks passed.');
});

test('behind a proxy that buffers responses, the room stream check fails and says how to fix it', async (t) => {
  let upstream = '';
  const proxy = await startBufferingProxy(t, () => upstream);
  // The node is told its public URL is the proxy's, as an operator would.
  const node = await startTestNode(t, { publicUrl: proxy });
  upstream = `http://127.0.0.1:${node.address().port}`;
  const { code, lines } = await doctor(proxy, '--timeout-ms', '1500');
  assert.equal(code, 1);
  const wrong = failed(lines);
  assert.equal(wrong.length, 1, lines.join('\n'));
  assert.match(wrong[0]!, /^✗ room stream .*no welcome within 1500 ms/);
  assert.match(lines[lines.indexOf(wrong[0]!) + 1]!, /fix: .*proxy_buffering off/);
  assert.ok(
    lines.some((line) => /^✓ CORS/.test(line)),
    'the rest gets through the proxy',
  );

  // Reached directly, the same node gives out a URL that is not the one used.
  const direct = await doctor(upstream);
  assert.equal(direct.code, 1);
  assert.match(
    failed(direct.lines)[0]!,
    /^✗ node info .* gives out http:\/\/127\.0\.0\.1:\d+, not http/,
  );
  assert.ok(direct.lines.some((line) => /fix: start it with --public-url/.test(line)));
});

test('a node without TURN fails the TURN check with the flag to change', async (t) => {
  const node = await startTestNode(t, { turnPort: -1 });
  const { code, lines } = await doctor(node.url());
  assert.equal(code, 1);
  const wrong = failed(lines);
  assert.equal(wrong.length, 1, lines.join('\n'));
  assert.match(wrong[0]!, /^✗ TURN credentials .*TURN_UNAVAILABLE/);
  assert.match(lines[lines.indexOf(wrong[0]!) + 1]!, /fix: drop --turn-port -1/);
});

test('doctor without a URL is a usage error', async () => {
  const { err, io } = captureIo();
  assert.equal(await runCli(['doctor'], io), 2);
  assert.match(err.join('\n'), /expected one NODE_URL/);
});
