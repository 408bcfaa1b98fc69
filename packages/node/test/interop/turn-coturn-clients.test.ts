/**
 * Our STUN/TURN server against coturn's own test clients, over real loopback sockets.
 * Run inside `unshare -n sh -c 'ip link set lo up; node scripts/run-tests.mjs <this file>'`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { requestedTransport } from '../../src/turn/attributes/requested-transport.js';
import { xorPeerAddress } from '../../src/turn/attributes/xor-peer-address.js';
import { mintTurnCredentials, restPassword } from '../../src/turn/rest-credentials.js';
import { parseStunMessage, StunMethod, type StunMessage } from '../../src/turn/stun-message.js';
import { createTurnServer, type TurnServer } from '../../src/turn/turn-server.js';
import {
  a,
  challengeOf,
  errorOf,
  request,
  type ClientCredentials,
} from '../turn/turn-test-client.js';
import { missingTools, run } from './turn-tools.js';

const SECRET = 'interop-secret';
const skip = missingTools('turnutils_stunclient', 'turnutils_uclient');

function credentials(ttlSeconds = 600, secret = SECRET): { username: string; password: string } {
  const minted = mintTurnCredentials({ secret, id: 'interop', ttlSeconds, nowMs: Date.now() });
  return { username: minted.username, password: minted.credential };
}

/** A tiny UDP STUN client for the negative cases. */
async function exchange(
  port: number,
  bytes: Uint8Array,
  socket = createSocket('udp4'),
): Promise<StunMessage> {
  socket.send(bytes, port, '127.0.0.1');
  const [message] = (await once(socket, 'message', { signal: AbortSignal.timeout(2000) })) as [
    Buffer,
  ];
  const parsed = parseStunMessage(message);
  assert.ok(parsed.ok);
  return parsed.message;
}

describe('coturn test clients against our TURN server', { skip }, () => {
  let open: TurnServer;
  let strict: TurnServer;
  const portOf = (server: TurnServer): string => String(server.address()?.port);

  before(async () => {
    open = createTurnServer({
      host: '127.0.0.1',
      port: 0,
      secrets: [SECRET],
      allowedPeerCidrs: ['127.0.0.0/8'],
    });
    strict = createTurnServer({ host: '127.0.0.1', port: 0, secrets: [SECRET] });
    await Promise.all([open.start(), strict.start()]);
  });
  after(async () => {
    await Promise.all([open.stop(), strict.stop()]);
  });

  test('turnutils_stunclient gets our reflexive address', async () => {
    const { code, output } = await run(
      'turnutils_stunclient',
      ['-p', portOf(open), '127.0.0.1'],
      10_000,
    );
    assert.equal(code, 0, output);
    assert.match(output, /UDP reflexive addr: 127\.0\.0\.1:\d+/);
  });

  for (const transport of ['udp', 'tcp'] as const) {
    test(`turnutils_uclient relays client to client over ${transport} with channels`, async () => {
      const { username, password } = credentials();
      const args = [
        '-y',
        '-c',
        '-X',
        '-n',
        '20',
        '-l',
        '200',
        '-u',
        username,
        '-w',
        password,
        '-p',
        portOf(open),
      ];
      if (transport === 'tcp') args.unshift('-t');
      const { code, output } = await run('turnutils_uclient', [...args, '127.0.0.1'], 30_000);
      assert.equal(code, 0, output);
      assert.match(output, /tot_send_msgs=40, tot_recv_msgs=40/);
      assert.match(output, /Total lost packets 0 /);
    });
  }

  test('turnutils_uclient relays with Send/Data indications (-s)', async () => {
    const { username, password } = credentials();
    const args = [
      '-s',
      '-y',
      '-c',
      '-X',
      '-n',
      '10',
      '-u',
      username,
      '-w',
      password,
      '-p',
      portOf(open),
      '127.0.0.1',
    ];
    const { code, output } = await run('turnutils_uclient', args, 30_000);
    assert.equal(code, 0, output);
    assert.match(output, /tot_send_msgs=20, tot_recv_msgs=20/);
  });

  test('turnutils_uclient with a forged password cannot allocate', async () => {
    const { username } = credentials();
    const args = [
      '-y',
      '-c',
      '-X',
      '-n',
      '2',
      '-u',
      username,
      '-w',
      'forged',
      '-p',
      portOf(open),
      '127.0.0.1',
    ];
    const { output } = await run('turnutils_uclient', args, 30_000);
    assert.match(output, /Cannot complete Allocation/);
    assert.doesNotMatch(output, /tot_recv_msgs=[1-9]/);
  });

  test('turnutils_uclient gets 403 for a loopback peer on a server that does not allow it', async () => {
    const { username, password } = credentials();
    const args = [
      '-y',
      '-c',
      '-X',
      '-n',
      '2',
      '-u',
      username,
      '-w',
      password,
      '-p',
      portOf(strict),
      '127.0.0.1',
    ];
    const { output } = await run('turnutils_uclient', args, 30_000);
    assert.match(output, /error 403 \(Forbidden\)/);
  });

  test('expired and forged credentials are refused with 401; a denied peer gets 403', async () => {
    const socket = createSocket('udp4');
    try {
      const port = Number(portOf(strict));
      const first = await exchange(
        port,
        request(StunMethod.allocate, [a(requestedTransport, 17)]).bytes,
        socket,
      );
      assert.equal(errorOf(first), 401);
      const challenge = challengeOf(first);
      // Correctly signed, but its expiry is 5 s in the past.
      const expiredName = `${Math.floor(Date.now() / 1000) - 5}:old`;
      const stale: ClientCredentials = {
        ...challenge,
        username: expiredName,
        password: restPassword(SECRET, expiredName),
      };
      assert.equal(
        errorOf(
          await exchange(
            port,
            request(StunMethod.allocate, [a(requestedTransport, 17)], stale).bytes,
            socket,
          ),
        ),
        401,
      );
      const forged: ClientCredentials = { ...challenge, ...credentials(600, 'not-our-secret') };
      assert.equal(
        errorOf(
          await exchange(
            port,
            request(StunMethod.allocate, [a(requestedTransport, 17)], forged).bytes,
            socket,
          ),
        ),
        401,
      );
      const good: ClientCredentials = { ...challenge, ...credentials() };
      const allocated = await exchange(
        port,
        request(StunMethod.allocate, [a(requestedTransport, 17)], good).bytes,
        socket,
      );
      assert.equal(allocated.cls, 'success');
      for (const address of ['10.0.0.1', '127.0.0.1', '169.254.169.254']) {
        const id = randomBytes(12);
        const bytes = request(
          StunMethod.createPermission,
          [a(xorPeerAddress, { family: 4, address, port: 1 }, id)],
          good,
          { transactionId: id },
        ).bytes;
        assert.equal(errorOf(await exchange(port, bytes, socket)), 403, address);
      }
    } finally {
      socket.close();
    }
  });
});
