/**
 * Issue 11, finding 4: what Node's HTTP parser and Fastify's router refuse before any route runs
 * must still be a catalog error — `{ code, message }` with the catalog's status — never the
 * framework's own body. Requests are written byte for byte on a raw socket.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';
import { deriveRoomHash, errorCatalog, parseErrorBody } from '@sigmesh/protocol';
import { joinRoom } from '../../helpers/room-client.js';
import { startTestNode } from '../../helpers/test-node.js';

/** Writes `bytes`, reads until the server closes (at most 3 s); returns status, headers, body. */
async function exchange(
  port: number,
  bytes: string,
): Promise<{ status: number; head: string; body: string }> {
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  socket.write(bytes);
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  await Promise.race([once(socket, 'close'), new Promise((resolve) => setTimeout(resolve, 3000))]);
  socket.destroy();
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  return { status, head, body: split < 0 ? '' : text.slice(split + 4) };
}

function assertCatalogAnswer(
  answer: { status: number; head: string; body: string },
  code: keyof typeof errorCatalog,
  what: string,
): void {
  const body = parseErrorBody(JSON.parse(answer.body || 'null'));
  assert.equal(body?.code, code, `${what}: body ${answer.body}`);
  assert.equal(answer.status, errorCatalog[code].status, `${what}: status`);
  assert.match(answer.head, /content-type: application\/json/i, `${what}: content type`);
}

test("the HTTP parser's refusals are catalog errors", async (t) => {
  const node = await startTestNode(t);
  const { port } = node.address();
  const cases: [what: string, bytes: string, code: keyof typeof errorCatalog][] = [
    ['malformed request line', 'GARBAGE\r\n\r\n', 'BAD_REQUEST'],
    ['unknown HTTP version', 'GET / HTTP/7.3\r\nHost: x\r\n\r\n', 'BAD_REQUEST'],
    [
      'Content-Length that is not a number',
      'POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}',
      'BAD_REQUEST',
    ],
    [
      'Content-Length together with Transfer-Encoding',
      'POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
      'BAD_REQUEST',
    ],
    [
      'headers over 16 KB',
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`,
      'HEADERS_TOO_LARGE',
    ],
  ];
  for (const [what, bytes, code] of cases)
    assertCatalogAnswer(await exchange(port, bytes), code, what);
});

test("the router's refusals are catalog errors: a path parameter over 100 characters, a bad escape", async (t) => {
  const node = await startTestNode(t);
  const { port } = node.address();
  const long = await exchange(
    port,
    `GET /room/${'a'.repeat(101)} HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nConnection: close\r\n\r\n`,
  );
  assertCatalogAnswer(long, 'URL_TOO_LONG', 'room hash over 100 characters');
  const badEscape = await exchange(
    port,
    'GET /room/%zz HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nConnection: close\r\n\r\n',
  );
  assertCatalogAnswer(badEscape, 'BAD_REQUEST', 'bad percent escape');
});

test('a connection that sends no request head within --headers-timeout-ms gets 408 REQUEST_TIMEOUT and is closed', async (t) => {
  const node = await startTestNode(t, { headersTimeoutMs: 1000 });
  const started = Date.now();
  const idle = await exchange(node.address().port, '');
  const waited = Date.now() - started;
  assertCatalogAnswer(idle, 'REQUEST_TIMEOUT', 'idle connection');
  assert.ok(waited >= 900 && waited < 2900, `closed after ${waited} ms`);
  const slow = await exchange(node.address().port, 'GET / HTTP/1.1\r\nHost: x\r\n');
  assertCatalogAnswer(slow, 'REQUEST_TIMEOUT', 'unfinished request head');
});

test('a request body that does not arrive whole within --request-timeout-ms gets 408; room streams outlive it', async (t) => {
  const node = await startTestNode(t, { headersTimeoutMs: 1000, requestTimeoutMs: 1500 });
  const started = Date.now();
  const trickle = await exchange(
    node.address().port,
    'POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
  );
  const waited = Date.now() - started;
  assertCatalogAnswer(trickle, 'REQUEST_TIMEOUT', 'trickled body');
  assert.ok(waited >= 1400 && waited < 3900, `closed after ${waited} ms`);
  const member = await joinRoom(node.url(), deriveRoomHash('timeouts', 'lobby'));
  t.after(() => member.close());
  await new Promise((resolve) => setTimeout(resolve, 2500));
  assert.equal(node.stats().members, 1, 'the room stream is still open after the request timeout');
});
