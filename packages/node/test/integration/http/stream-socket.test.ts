import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { get as httpsGet } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { deriveRoomHash, utf8 } from '@sigmesh/protocol';
import { takeStreamSocket, writeStreamHead } from '../../../src/http/stream-socket.js';
import { challengeFor, solveToken } from '../../helpers/raw-http.js';
import { joinRoom } from '../../helpers/room-client.js';
import { startTestNode } from '../../helpers/test-node.js';
import { tlsDirectory } from '../../helpers/tls-files.js';
import { waitFor } from '../../helpers/wait-for.js';

// A room stream's connection is taken out of the HTTP server once its head is out
// (stream-socket.ts): the member holds the socket alone, the server forgets the connection,
// and the client may send nothing more on it.

/** The connections node:http lists for timeouts and closeAllConnections (a private symbol). */
function listedConnections(server: Server): number {
  const key = Object.getOwnPropertySymbols(server).find(
    (symbol) => symbol.description === 'http.server.connections',
  );
  assert.ok(key !== undefined, 'node:http keeps its connections list under this symbol');
  const list = (server as unknown as Record<symbol, { all(): unknown[] } | undefined>)[key];
  assert.ok(list !== undefined);
  return list.all().length;
}

/** A client that sends `request` and keeps everything it receives. */
async function rawClient(port: number, request: string) {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write(request);
  return { socket, received: () => received, closed: once(socket, 'close') };
}

test('the socket leaves the HTTP server: unframed bytes, not listed, closed by a client that sends more', async (t) => {
  const taken: Socket[] = [];
  const server = createServer((request, response) => {
    writeStreamHead(response, { 'content-type': 'text/event-stream' });
    const socket = takeStreamSocket(response);
    assert.ok(socket !== undefined, 'Node 20: the stream takes its socket');
    taken.push(socket);
    socket.write('event: one\ndata: 1\n\n');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;

  const client = await rawClient(port, 'GET /room HTTP/1.1\r\nhost: x\r\n\r\n');
  await waitFor(() => client.received().includes('event: one'), 'the first event');
  const head = client.received().split('\r\n\r\n')[0]!.toLowerCase();
  assert.match(head, /\r\nconnection: close/);
  assert.doesNotMatch(head, /transfer-encoding/);
  assert.equal(
    client.received().split('\r\n\r\n')[1],
    'event: one\ndata: 1\n\n',
    'no chunk framing',
  );
  await sleep(20);
  assert.equal(listedConnections(server), 0, 'the server no longer lists the connection');
  server.closeAllConnections(); // threw on a parser freed too early (listed with no socket)
  assert.equal(client.socket.destroyed, false, 'and closing its connections leaves it alone');

  // A pipelined request is not answered on the stream: the connection closes.
  client.socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
  await client.closed;
  assert.equal(taken[0]!.destroyed, true);
  assert.doesNotMatch(
    client.received(),
    /HTTP\/1\.1 [0-9]{3}[\s\S]*HTTP\/1\.1/,
    'one response only',
  );
});

test('a node: a member whose client sends bytes after its join leaves; stop ends every stream', async (t) => {
  const node = await startTestNode(t);
  const room = deriveRoomHash('stream-socket', 'room');
  const watcher = await joinRoom(node.url(), room);
  t.after(() => watcher.close());
  const { challenge } = await challengeFor(node.url(), 'room-join');
  const token = await solveToken(challenge, utf8(room));
  const client = await rawClient(
    node.address().port,
    `GET /room/${room}?pow=${encodeURIComponent(token)} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`,
  );
  await waitFor(() => watcher.view().size === 1, 'the raw member joined');
  client.socket.write('x');
  await client.closed;
  await waitFor(() => watcher.view().size === 0, 'the raw member left');

  const last = await rawClient(node.address().port, 'GET / HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
  const member = await joinRoom(node.url(), room);
  t.after(() => member.close());
  last.socket.destroy();
  const stopped = await Promise.race([
    node.stop().then(() => 'stopped'),
    sleep(10_000).then(() => 'stop hung'),
  ]);
  assert.equal(stopped, 'stopped');
});

const openssl = spawnSync('openssl', ['version']).status === 0;

test(
  'over TLS too: the stream is served, and a byte from the client ends it',
  { skip: openssl ? false : 'openssl not installed' },
  async (t) => {
    const tls = tlsDirectory(t);
    tls.install(tls.make('127.0.0.1'));
    const node = await startTestNode(t, { tlsCert: tls.certFile, tlsKey: tls.keyFile });
    const ca = readFileSync(tls.certFile);
    const room = deriveRoomHash('stream-socket', 'tls');
    const info = await new Promise<string>((resolve, reject) => {
      httpsGet(`${node.url()}/`, { ca, headers: { accept: 'application/json' } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(body));
      }).on('error', reject);
    });
    const { challenges } = (JSON.parse(info) as { pow: { challenges: Record<string, string> } })
      .pow;
    const token = await solveToken(challenges['room-join']!, utf8(room));
    const socket = tlsConnect({ host: '127.0.0.1', port: node.address().port, ca });
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', () => undefined);
    const closed = once(socket, 'close');
    await once(socket, 'secureConnect');
    socket.write(
      `GET /room/${room}?pow=${encodeURIComponent(token)} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`,
    );
    await waitFor(() => received.includes('event: welcome'), 'the welcome over TLS');
    assert.match(received, /^HTTP\/1\.1 200[\s\S]*\r\nconnection: close\r\n/i);
    assert.equal(node.stats().members, 1);
    socket.write('x');
    await closed;
    await waitFor(() => node.stats().members === 0, 'the member left');
  },
);
