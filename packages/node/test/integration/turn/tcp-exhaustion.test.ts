/**
 * Issue 11, finding 3: idle TCP connections from one address (no credentials) must not lock
 * every other client out of TURN over TCP: a per-address cap at accept, and a short idle timeout
 * for connections that never allocated. Real sockets on 127.0.0.x.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';
import { requestedTransport } from '../../../src/turn/attributes/requested-transport.js';
import { mintTurnCredentials } from '../../../src/turn/rest-credentials.js';
import { StreamFramer } from '../../../src/turn/stream-framer.js';
import { parseStunMessage, StunMethod, type StunMessage } from '../../../src/turn/stun-message.js';
import { createTurnServer } from '../../../src/turn/turn-server.js';
import { openIdleConnections } from '../../helpers/idle-flood.js';
import { waitFor } from '../../helpers/wait-for.js';
import { a, challengeOf, request } from '../../turn/turn-test-client.js';

/** One Binding request over a new TCP connection from `localAddress`; true when answered. */
async function bindingOverTcp(port: number, localAddress: string): Promise<boolean> {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  try {
    await once(socket, 'connect');
    socket.write(request(StunMethod.binding, []).bytes);
    const [chunk] = (await once(socket, 'data', { signal: AbortSignal.timeout(2000) })) as [Buffer];
    return parseStunMessage(chunk).ok;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}

test('1000 idle TCP connections from one address leave TURN over TCP open to another address', async (t) => {
  const server = createTurnServer({ host: '127.0.0.1', port: 0, secrets: ['s'] });
  await server.start();
  t.after(() => server.stop());
  const port = server.address()!.port;
  const flood = await openIdleConnections({ port, count: 1000, localAddress: '127.0.0.1' });
  t.after(() => flood.close());
  assert.ok(flood.held() < 1000, `one address holds ${flood.held()} connections`);
  assert.equal(await bindingOverTcp(port, '127.0.0.2'), true, 'another address is served');
});

test('a TCP connection without an allocation is closed after tcpAuthTimeoutSeconds; one with an allocation stays', async (t) => {
  const server = createTurnServer({
    host: '127.0.0.1',
    port: 0,
    secrets: ['s'],
    tcpAuthTimeoutSeconds: 1,
  });
  await server.start();
  t.after(() => server.stop());
  const port = server.address()!.port;
  const idle = connect({ host: '127.0.0.1', port });
  await once(idle, 'connect');
  // Bounded: without the short timeout the connection would idle for 900 s.
  const closedAt = once(idle, 'close', { signal: AbortSignal.timeout(5000) }).then(
    () => Date.now(),
    () => Number.POSITIVE_INFINITY,
  );
  const opened = Date.now();

  const allocated = connect({ host: '127.0.0.1', port });
  await once(allocated, 'connect');
  t.after(() => allocated.destroy());
  const framer = new StreamFramer();
  const answers: StunMessage[] = [];
  allocated.on('data', (chunk: Buffer) => {
    const out = framer.push(chunk);
    if (out.ok)
      for (const frame of out.frames) {
        const parsed = parseStunMessage(frame);
        if (parsed.ok) answers.push(parsed.message);
      }
  });
  allocated.write(request(StunMethod.allocate, [a(requestedTransport, 17)]).bytes);
  await waitFor(() => answers.length === 1, 'the 401 challenge');
  const minted = mintTurnCredentials({
    secret: 's',
    id: 'tcp',
    ttlSeconds: 600,
    nowMs: Date.now(),
  });
  const credentials = {
    username: minted.username,
    password: minted.credential,
    ...challengeOf(answers[0]!),
  };
  allocated.write(request(StunMethod.allocate, [a(requestedTransport, 17)], credentials).bytes);
  await waitFor(() => answers.length === 2, 'the Allocate answer');
  assert.equal(answers[1]!.cls, 'success');

  const idleFor = (await closedAt) - opened;
  assert.ok(idleFor >= 900 && idleFor < 5000, `closed after ${idleFor} ms`);
  assert.equal(server.stats().tcpUnauthenticatedClosed, 1);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(allocated.destroyed, false, 'the connection with an allocation is still open');
  assert.equal(server.stats().allocations, 1);
});

test('connections over the per-address cap are refused at accept and counted', async (t) => {
  const server = createTurnServer({
    host: '127.0.0.1',
    port: 0,
    secrets: ['s'],
    maxTcpConnectionsPerAddress: 3,
  });
  await server.start();
  t.after(() => server.stop());
  const flood = await openIdleConnections({
    port: server.address()!.port,
    count: 10,
    localAddress: '127.0.0.5',
  });
  t.after(() => flood.close());
  assert.equal(flood.held(), 3);
  assert.equal(flood.closedByServer(), 7);
  assert.equal(server.stats().tcpConnections, 3);
  assert.equal(server.stats().rejected.TURN_QUOTA_EXCEEDED, 7);
});
