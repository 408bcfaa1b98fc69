/**
 * HTTP upgrades to anything but /mesh: answered from the catalog, and a client that resets the
 * connection meanwhile must not take the node down (the upgraded socket has no 'error' listener
 * of Node's any more). The node runs in its own process, since the failure ended the process.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseErrorBody } from '@sigmesh/protocol';
import { spawnNode } from '../../helpers/node-process.js';
import { rawRequest } from '../../helpers/raw-http.js';

const upgrade =
  'GET /elsewhere HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n';

test('an upgrade to an unknown path gets 404 NOT_FOUND from the catalog; resets meanwhile do not crash the node', async (t) => {
  const node = await spawnNode(t, {
    nofile: 4096,
    args: ['--max-connections-per-address', '0', '--turn-port', '-1'],
  });
  const socket = connect({ host: '127.0.0.1', port: node.port });
  await once(socket, 'connect');
  socket.write(upgrade);
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  await once(socket, 'close', { signal: AbortSignal.timeout(5000) });
  assert.match(text, /^HTTP\/1\.1 404 /);
  assert.equal(parseErrorBody(JSON.parse(text.split('\r\n\r\n')[1] ?? 'null'))?.code, 'NOT_FOUND');

  // Clients that reset right after asking: the node's answer then fails with ECONNRESET/EPIPE.
  for (let round = 0; round < 5 && node.alive(); round++) {
    await Promise.all(
      Array.from(
        { length: 100 },
        () =>
          new Promise<void>((resolve) => {
            const s = connect({ host: '127.0.0.1', port: node.port }, () => {
              s.write(upgrade);
              setImmediate(() => s.resetAndDestroy());
            });
            s.on('error', () => undefined);
            s.on('close', () => resolve());
          }),
      ),
    );
  }
  await sleep(300);
  assert.ok(node.alive(), `the node died:\n${node.stderr()}`);
  const served = await rawRequest(`${node.url}/`, { headers: { accept: 'application/json' } });
  assert.equal(served.status, 200);
});
