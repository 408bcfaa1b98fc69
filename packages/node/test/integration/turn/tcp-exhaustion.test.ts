/**
 * Issue 11, finding 3: idle TCP connections from one address (no credentials) must not lock
 * every other client out of TURN over TCP. Real sockets on 127.0.0.1 / 127.0.0.2.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';
import { parseStunMessage, StunMethod } from '../../../src/turn/stun-message.js';
import { createTurnServer } from '../../../src/turn/turn-server.js';
import { openIdleConnections } from '../../helpers/idle-flood.js';
import { request } from '../../turn/turn-test-client.js';

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
