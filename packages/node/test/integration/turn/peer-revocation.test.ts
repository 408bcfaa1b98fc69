/**
 * Issue 11, finding 6: a permission or channel to a peer address allowed only through
 * `setExtraAllowedPeers` (another mesh node's address) must die as soon as that address is no
 * longer allowed — no relaying either way, and no refresh. Real UDP sockets on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import { channelNumber } from '../../../src/turn/attributes/channel-number.js';
import { xorPeerAddress } from '../../../src/turn/attributes/xor-peer-address.js';
import { xorRelayedAddress } from '../../../src/turn/attributes/xor-relayed-address.js';
import { readAttribute } from '../../../src/turn/attribute-reader.js';
import { encodeChannelData } from '../../../src/turn/channel-data-frame.js';
import { mintTurnCredentials } from '../../../src/turn/rest-credentials.js';
import { StunMethod } from '../../../src/turn/stun-message.js';
import { createTurnServer } from '../../../src/turn/turn-server.js';
import { waitFor } from '../../helpers/wait-for.js';
import { TurnUdpClient } from '../../helpers/turn-udp-client.js';
import { a, errorOf } from '../../turn/turn-test-client.js';

test('removing an address from the extra allowed peers ends its permissions and channels at once', async (t) => {
  const server = createTurnServer({ host: '127.0.0.1', port: 0, secrets: ['s'] });
  await server.start();
  t.after(() => server.stop());
  server.setExtraAllowedPeers(['127.0.0.1']);
  const port = server.address()!.port;

  const peer = createSocket('udp4');
  peer.bind(0, '127.0.0.1');
  await once(peer, 'listening');
  t.after(() => peer.close());
  const peerAddress = { family: 4 as const, address: '127.0.0.1', port: peer.address().port };
  const atPeer: Buffer[] = [];
  peer.on('message', (bytes: Buffer) => atPeer.push(bytes));

  const client = await TurnUdpClient.open(port);
  t.after(() => client.close());
  const minted = mintTurnCredentials({ secret: 's', id: 'c', ttlSeconds: 600, nowMs: Date.now() });
  const credentials = {
    username: minted.username,
    password: minted.credential,
    ...(await client.challenge()),
  };
  const allocated = await client.allocate(credentials);
  assert.equal(allocated.error, undefined);
  const relayed = readAttribute(allocated.message, xorRelayedAddress);
  assert.ok(relayed?.ok === true);
  const permission = () =>
    client.request(StunMethod.createPermission, [a(xorPeerAddress, peerAddress)], credentials);
  const bind = () =>
    client.request(
      StunMethod.channelBind,
      [a(channelNumber, 0x4000), a(xorPeerAddress, peerAddress)],
      credentials,
    );
  assert.equal((await permission()).cls, 'success');
  assert.equal((await bind()).cls, 'success');

  // Relaying works both ways while the address is allowed.
  client.sendRaw(encodeChannelData(0x4000, Buffer.from('to peer'), false));
  await waitFor(() => atPeer.length === 1, 'the peer receives the channel data');
  peer.send('to client', relayed.value.port, relayed.value.address);
  const first = await client.nextData();
  assert.equal(first?.kind, 'channel');

  server.setExtraAllowedPeers([]);
  const forbiddenBefore = server.stats().rejected.TURN_PEER_FORBIDDEN;
  client.sendRaw(encodeChannelData(0x4000, Buffer.from('after removal'), false));
  peer.send('after removal', relayed.value.port, relayed.value.address);
  await waitFor(
    () => server.stats().rejected.TURN_PEER_FORBIDDEN >= forbiddenBefore + 2,
    'both directions are refused',
    3000,
  );
  assert.equal(atPeer.length, 1, 'nothing more reached the peer');
  assert.equal(await client.nextData(200), undefined, 'nothing more reached the client');
  assert.equal(errorOf(await permission()), 403, 'the permission cannot be refreshed');
  assert.equal(errorOf(await bind()), 403, 'the channel cannot be refreshed');
});
