/** The `/token` price hook follows the built-in server's fill (real allocations over UDP). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTurnService } from '../../../src/turn/turn-service.js';
import { TurnUdpClient } from '../../helpers/turn-udp-client.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

test('credentialPriceFactor: 2 base prices on an empty server, rising as allocations fill it past half', async (t) => {
  const service = createTurnService({
    settings: {
      turnPort: 0,
      turnAllowPeer: [],
      turnSecret: 's',
      turnExternal: '',
      turnMaxAllocations: 4,
    },
    host: '127.0.0.1',
    log: silent,
    now: Date.now,
  });
  await service.start();
  t.after(() => service.stop());
  assert.equal(service.credentialPriceFactor(), 2);
  const port = service.server!.address()!.port;
  const servers = service.iceServers('c', '127.0.0.1')!.iceServers;
  const turn = servers.find((s) => s.username !== undefined)!;
  const factors: number[] = [];
  const clients: TurnUdpClient[] = [];
  t.after(() => clients.forEach((c) => c.close()));
  for (let i = 0; i < 4; i++) {
    const client = await TurnUdpClient.open(port);
    clients.push(client);
    const answer = await client.allocate({
      username: turn.username!,
      password: turn.credential!,
      ...(await client.challenge()),
    });
    assert.equal(answer.error, undefined);
    factors.push(service.credentialPriceFactor());
  }
  assert.deepEqual(factors, [2, 2, 16, 128]);
});
