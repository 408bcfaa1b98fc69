import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import { Socket, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { test, type TestContext } from 'node:test';
import { setImmediate as turn } from 'node:timers/promises';
import { WebSocket, WebSocketServer } from 'ws';
import { attachSocket, corkedBytes, sendInTurn } from '../../src/sockets/turn-sends.js';

/** A WebSocket pair on loopback: the server side registered with its TCP socket. */
async function pair(
  t: TestContext,
): Promise<{ server: WebSocket; socket: Socket; client: WebSocket }> {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const http = createServer();
  const accepted = new Promise<{ server: WebSocket; socket: Socket }>((resolve) => {
    http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) =>
      wss.handleUpgrade(request, socket, head, (server) => {
        attachSocket(server, socket);
        assert.ok(socket instanceof Socket);
        resolve({ server, socket });
      }),
    );
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const client = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`);
  const { server, socket } = await accepted;
  await once(client, 'open');
  t.after(() => {
    client.terminate();
    server.terminate();
    http.close();
  });
  return { server, socket, client };
}

/** Counts the writes that reach the socket's handle (each one a system call). */
function countWrites(socket: Socket): { writes: number } {
  const count = { writes: 0 };
  const target = socket as unknown as {
    _write: (...args: unknown[]) => void;
    _writev: (...args: unknown[]) => void;
  };
  const write = target._write.bind(socket);
  const writev = target._writev.bind(socket);
  target._write = (...args) => (count.writes++, write(...args));
  target._writev = (...args) => (count.writes++, writev(...args));
  return count;
}

test('frames sent to one socket in one turn leave in one write, in order', async (t) => {
  const { server, socket, client } = await pair(t);
  const got: string[] = [];
  client.on('message', (data: Buffer) => got.push(data.toString()));
  const count = countWrites(socket);
  for (let i = 0; i < 50; i++) sendInTurn(server, `frame ${i}`);
  assert.equal(socket.writableCorked, 1, 'held until the turn ends');
  assert.equal(corkedBytes(server), 50 * 2 + [...Array(50).keys()].join('').length + 50 * 6);
  await turn();
  assert.equal(socket.writableCorked, 0);
  assert.equal(corkedBytes(server), 0);
  assert.equal(count.writes, 1, 'one write for fifty frames');
  const deadline = Date.now() + 5000;
  while (got.length < 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(
    got,
    Array.from({ length: 50 }, (_, i) => `frame ${i}`),
  );
});

test('without coalescing each frame is a write of its own (what the test above guards against)', async (t) => {
  const { server, socket } = await pair(t);
  const count = countWrites(socket);
  for (let i = 0; i < 50; i++) server.send(`frame ${i}`);
  await turn();
  assert.ok(count.writes >= 25, `${count.writes} writes`);
});

test('a socket not registered, or already destroyed, is sent to directly', async (t) => {
  const { server, socket, client } = await pair(t);
  const got: string[] = [];
  client.on('message', (data: Buffer) => got.push(data.toString()));
  socket.destroy();
  sendInTurn(server, 'after the end'); // ws drops it (the socket is gone); nothing is corked
  assert.equal(corkedBytes(server), 0);
  sendInTurn(client, 'from a client never registered');
  assert.equal(corkedBytes(client), 0, 'a client WebSocket never registered');
});
