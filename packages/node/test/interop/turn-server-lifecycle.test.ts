/** createTurnServer's handle: port 0 read back, idempotent start/stop, stop while starting. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { parseStunMessage, StunMethod } from '../../src/turn/stun-message.js';
import { createTurnServer } from '../../src/turn/turn-server.js';
import { request } from '../turn/turn-test-client.js';

test('start binds UDP and TCP on one port read back with address(); start/stop are idempotent', async () => {
  const server = createTurnServer({ host: '127.0.0.1', port: 0, secrets: ['s'] });
  assert.equal(server.address(), undefined);
  await Promise.all([server.start(), server.start()]);
  const address = server.address();
  assert.ok(address !== undefined && address.port > 0);
  const udp = createSocket('udp4');
  udp.send(request(StunMethod.binding, []).bytes, address.port, '127.0.0.1');
  const [reply, from] = (await once(udp, 'message', { signal: AbortSignal.timeout(2000) })) as [
    Buffer,
    { address: string; port: number },
  ];
  udp.close();
  assert.equal(parseStunMessage(reply).ok, true);
  assert.deepEqual(
    [from.address, from.port],
    ['127.0.0.1', address.port],
    'reply comes from the address the client sent to',
  );
  const tcp = createConnection({ host: '127.0.0.1', port: address.port });
  await once(tcp, 'connect');
  tcp.write(request(StunMethod.binding, []).bytes);
  const [chunk] = (await once(tcp, 'data', { signal: AbortSignal.timeout(2000) })) as [Buffer];
  tcp.destroy();
  assert.equal(parseStunMessage(chunk).ok, true);
  await Promise.all([server.stop(), server.stop()]);
  assert.equal(server.address(), undefined);
  await server.stop();
});

test('stop while starting leaves nothing bound, and the server can start again', async () => {
  const server = createTurnServer({ host: '127.0.0.1', port: 0, secrets: ['s'] });
  const starting = server.start();
  await server.stop();
  await starting;
  assert.equal(server.address(), undefined);
  await server.start();
  assert.ok(server.address());
  await server.stop();
});

test('invalid options are reported all at once', () => {
  assert.throws(
    () => createTurnServer({ secrets: [], port: 70000, maxAllocations: -1 }),
    (error: unknown) =>
      error instanceof RangeError &&
      /maxAllocations/.test(error.message) &&
      /port must be/.test(error.message) &&
      /secrets must hold/.test(error.message),
  );
});
