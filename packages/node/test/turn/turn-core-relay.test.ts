import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { channelNumber } from '../../src/turn/attributes/channel-number.js';
import { data } from '../../src/turn/attributes/data.js';
import { dontFragment } from '../../src/turn/attributes/dont-fragment.js';
import { lifetime } from '../../src/turn/attributes/lifetime.js';
import { alternateServer } from '../../src/turn/attributes/alternate-server.js';
import { requestedTransport } from '../../src/turn/attributes/requested-transport.js';
import { unknownAttributes } from '../../src/turn/attributes/unknown-attributes.js';
import { xorPeerAddress } from '../../src/turn/attributes/xor-peer-address.js';
import { readAttribute } from '../../src/turn/attribute-reader.js';
import { encodeChannelData, parseChannelData } from '../../src/turn/channel-data-frame.js';
import { mintTurnCredentials } from '../../src/turn/rest-credentials.js';
import { StunMethod } from '../../src/turn/stun-message.js';
import { a, challengeOf, errorOf, request, udpTuple } from './turn-test-client.js';
import { PEER, RELAYED, SECRET, setup } from './turn-core-setup.js';

test('permissions, Send/Data indications and channels relay both ways; denied peers get 403', () => {
  const t = setup();
  const credentials = t.credentials();
  t.allocate(credentials);
  const allocation = t.core.state.allocations.get(t.tuple.key);
  assert.ok(allocation);
  const id = randomBytes(12);
  // Loopback and private peers are refused by default.
  for (const address of [
    '127.0.0.1',
    '10.1.2.3',
    '192.168.1.1',
    '169.254.1.1',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
  ]) {
    t.core.handleStun(
      t.tuple,
      request(
        StunMethod.createPermission,
        [a(xorPeerAddress, { family: 4, address, port: 1 }, id)],
        credentials,
        { transactionId: id },
      ).bytes,
    );
    assert.equal(errorOf(t.actions.lastStun()), 403, address);
  }
  // Data before a permission is dropped.
  t.core.handlePeerData(allocation, PEER, Uint8Array.of(1, 2, 3));
  assert.equal(t.core.stats.packetsToClient, 0);
  t.core.handleStun(
    t.tuple,
    request(StunMethod.createPermission, [a(xorPeerAddress, PEER, id)], credentials, {
      transactionId: id,
    }).bytes,
  );
  assert.equal(t.actions.lastStun().cls, 'success');
  // Send indication → peer.
  const sid = randomBytes(12);
  t.core.handleStun(
    t.tuple,
    request(
      StunMethod.send,
      [a(xorPeerAddress, PEER, sid), a(data, Uint8Array.of(9, 9), sid)],
      undefined,
      { cls: 'indication', transactionId: sid },
    ).bytes,
  );
  assert.deepEqual(t.actions.toPeers.at(-1)?.data, Uint8Array.of(9, 9));
  // Peer → Data indication.
  t.core.handlePeerData(allocation, PEER, Uint8Array.of(4, 5));
  const indication = t.actions.lastStun();
  assert.equal(indication.method, StunMethod.data);
  assert.deepEqual(readAttribute(indication, xorPeerAddress), { ok: true, value: PEER });
  // ChannelBind, then ChannelData both ways.
  const cid = randomBytes(12);
  t.core.handleStun(
    t.tuple,
    request(
      StunMethod.channelBind,
      [a(channelNumber, 0x4001), a(xorPeerAddress, PEER, cid)],
      credentials,
      { transactionId: cid },
    ).bytes,
  );
  assert.equal(t.actions.lastStun().cls, 'success');
  t.core.handleChannelData(t.tuple.key, encodeChannelData(0x4001, Uint8Array.of(7), false));
  assert.deepEqual(t.actions.toPeers.at(-1)?.data, Uint8Array.of(7));
  t.core.handlePeerData(allocation, PEER, Uint8Array.of(6, 6, 6));
  assert.deepEqual(parseChannelData(t.actions.toClients.at(-1)?.data ?? new Uint8Array()), {
    channel: 0x4001,
    data: Uint8Array.of(6, 6, 6),
  });
  // A channel number cannot be moved to another peer.
  const other = { family: 4 as const, address: '8.8.4.4', port: 1 };
  const cid2 = randomBytes(12);
  t.core.handleStun(
    t.tuple,
    request(
      StunMethod.channelBind,
      [a(channelNumber, 0x4001), a(xorPeerAddress, other, cid2)],
      credentials,
      { transactionId: cid2 },
    ).bytes,
  );
  assert.equal(errorOf(t.actions.lastStun()), 400);
  assert.equal(t.core.stats.rejected.TURN_PEER_FORBIDDEN, 8);
});

test('lifetimes: permissions expire after 300 s, channels after 600 s, allocations unless refreshed', () => {
  const t = setup();
  const credentials = t.credentials();
  t.allocate(credentials);
  const allocation = t.core.state.allocations.get(t.tuple.key);
  assert.ok(allocation);
  const cid = randomBytes(12);
  t.core.handleStun(
    t.tuple,
    request(
      StunMethod.channelBind,
      [a(channelNumber, 0x4002), a(xorPeerAddress, PEER, cid)],
      credentials,
      { transactionId: cid },
    ).bytes,
  );
  t.advance(299_000);
  t.core.handleChannelData(t.tuple.key, encodeChannelData(0x4002, Uint8Array.of(1), false));
  assert.equal(t.actions.toPeers.length, 1);
  t.advance(2_000);
  t.core.handleChannelData(t.tuple.key, encodeChannelData(0x4002, Uint8Array.of(1), false));
  assert.equal(t.actions.toPeers.length, 1, 'permission expired at 300 s');
  // Refresh keeps the allocation alive past its first 600 s.
  t.core.handleStun(t.tuple, request(StunMethod.refresh, [a(lifetime, 1200)], credentials).bytes);
  const refreshed = t.actions.lastStun();
  assert.equal(refreshed.cls, 'success');
  assert.deepEqual(readAttribute(refreshed, lifetime), { ok: true, value: 1200 });
  t.advance(600_000);
  t.core.sweep();
  assert.equal(t.core.state.allocations.size, 1);
  t.advance(600_000);
  t.core.sweep();
  assert.equal(t.core.state.allocations.size, 0);
  assert.deepEqual(t.actions.closed, [allocation]);
  assert.equal(t.core.stats.allocationsExpired, 1);
  t.core.handleStun(t.tuple, request(StunMethod.refresh, [], credentials).bytes);
  assert.equal(errorOf(t.actions.lastStun()), 437);
});

test('Refresh with LIFETIME 0 deletes; lifetimes are capped at maxLifetimeSeconds', () => {
  const t = setup({ maxLifetimeSeconds: 900 });
  const credentials = t.credentials();
  t.allocate(credentials, [a(requestedTransport, 17), a(lifetime, 99_999)]);
  assert.deepEqual(readAttribute(t.actions.lastStun(), lifetime), { ok: true, value: 900 });
  t.core.handleStun(t.tuple, request(StunMethod.refresh, [a(lifetime, 0)], credentials).bytes);
  assert.deepEqual(readAttribute(t.actions.lastStun(), lifetime), { ok: true, value: 0 });
  assert.equal(t.core.state.allocations.size, 0);
  assert.equal(t.core.state.perUsername.size, 0);
});

test('quotas: 486 per username, 508 per server, 300 with an alternate server', () => {
  const t = setup({ maxAllocationsPerUsername: 1, maxAllocations: 2 });
  const credentials = t.credentials();
  t.allocate(credentials);
  const second = udpTuple('198.51.100.8', 1);
  t.core.handleStun(
    second,
    request(StunMethod.allocate, [a(requestedTransport, 17)], credentials).bytes,
  );
  // nonce is bound to the first client's IP: get one for the second
  const challenge = challengeOf(t.actions.lastStun());
  t.core.handleStun(
    second,
    request(StunMethod.allocate, [a(requestedTransport, 17)], { ...credentials, ...challenge })
      .bytes,
  );
  assert.equal(errorOf(t.actions.lastStun()), 486);
  const bob = mintTurnCredentials({ secret: SECRET, id: 'bob', ttlSeconds: 600, nowMs: t.now() });
  const bobCredentials = {
    ...credentials,
    ...challenge,
    username: bob.username,
    password: bob.credential,
  };
  t.core.handleStun(
    second,
    request(StunMethod.allocate, [a(requestedTransport, 17)], bobCredentials).bytes,
  );
  const opened = t.actions.opened.at(-1);
  assert.ok(opened);
  t.core.relayOpened(opened.id, second.key, RELAYED);
  const third = udpTuple('198.51.100.8', 2);
  const dave = mintTurnCredentials({ secret: SECRET, id: 'dave', ttlSeconds: 600, nowMs: t.now() });
  t.core.handleStun(
    third,
    request(StunMethod.allocate, [a(requestedTransport, 17)], {
      ...bobCredentials,
      username: dave.username,
      password: dave.credential,
    }).bytes,
  );
  assert.equal(errorOf(t.actions.lastStun()), 508);
  const withAlternate = setup({ maxAllocations: 0, alternateServer: '192.0.2.5:3478' });
  withAlternate.allocate(withAlternate.credentials());
  const redirected = withAlternate.actions.lastStun();
  assert.equal(errorOf(redirected), 300);
  assert.deepEqual(readAttribute(redirected, alternateServer), {
    ok: true,
    value: { family: 4, address: '192.0.2.5', port: 3478 },
  });
});

test('unknown comprehension-required attributes get 420; TCP relaying 442; DONT-FRAGMENT 420', () => {
  const t = setup();
  const credentials = t.credentials();
  t.allocate(credentials, [a(requestedTransport, 17), { type: 0x7777, value: new Uint8Array(4) }]);
  const unknown = t.actions.lastStun();
  assert.equal(errorOf(unknown), 420);
  assert.deepEqual(readAttribute(unknown, unknownAttributes), { ok: true, value: [0x7777] });
  t.allocate(credentials, [a(requestedTransport, 6)]);
  assert.equal(errorOf(t.actions.lastStun()), 442);
  t.allocate(credentials, [a(requestedTransport, 17), a(dontFragment, true)]);
  assert.equal(errorOf(t.actions.lastStun()), 420);
  t.allocate(credentials, []);
  assert.equal(errorOf(t.actions.lastStun()), 400);
});

test('another username on an existing allocation gets 441', () => {
  const t = setup();
  const credentials = t.credentials();
  t.allocate(credentials);
  const mallory = mintTurnCredentials({
    secret: SECRET,
    id: 'mallory',
    ttlSeconds: 600,
    nowMs: t.now(),
  });
  t.core.handleStun(
    t.tuple,
    request(StunMethod.refresh, [], {
      ...credentials,
      username: mallory.username,
      password: mallory.credential,
    }).bytes,
  );
  assert.equal(errorOf(t.actions.lastStun()), 441);
});

test('requests over the per-source rate are dropped; relayed bytes over the cap are dropped', () => {
  const t = setup({
    maxRequestsPerSecondPerSource: 5,
    maxBytesPerSecondPerAllocation: 1000,
    bandwidthBurstBytes: 1000,
  });
  for (let i = 0; i < 20; i++) t.core.handleStun(t.tuple, request(StunMethod.binding, []).bytes);
  assert.equal(t.actions.toClients.length, 10);
  assert.equal(t.core.stats.rejected.TURN_RATE_LIMITED, 10);
  t.advance(10_000);
  const credentials = t.credentials();
  t.allocate(credentials);
  const cid = randomBytes(12);
  t.core.handleStun(
    t.tuple,
    request(
      StunMethod.channelBind,
      [a(channelNumber, 0x4003), a(xorPeerAddress, PEER, cid)],
      credentials,
      { transactionId: cid },
    ).bytes,
  );
  for (let i = 0; i < 5; i++)
    t.core.handleChannelData(t.tuple.key, encodeChannelData(0x4003, new Uint8Array(300), false));
  assert.equal(t.actions.toPeers.length, 3);
  t.advance(1000);
  t.core.handleChannelData(t.tuple.key, encodeChannelData(0x4003, new Uint8Array(300), false));
  assert.equal(t.actions.toPeers.length, 4);
});

test('garbage from a client is counted and never throws', () => {
  const t = setup();
  for (let i = 0; i < 200; i++) {
    const junk = randomBytes(1 + (i % 90));
    junk[0] = (junk[0] ?? 0) & 0x03;
    t.core.handleStun(t.tuple, junk);
    t.core.handleChannelData(t.tuple.key, randomBytes(i % 10));
  }
  assert.ok(t.core.stats.rejected.TURN_MALFORMED > 0);
});

test('peer port 0 is refused for ChannelBind (400) and dropped for Send: the relay socket cannot send there', () => {
  const t = setup();
  const credentials = t.credentials();
  t.allocate(credentials);
  const zero = { ...PEER, port: 0 };
  t.core.handleStun(
    t.tuple,
    request(StunMethod.createPermission, [a(xorPeerAddress, PEER)], credentials).bytes,
  );
  assert.equal(t.actions.lastStun().cls, 'success');
  t.core.handleStun(
    t.tuple,
    request(
      StunMethod.channelBind,
      [a(channelNumber, 0x4003), a(xorPeerAddress, zero)],
      credentials,
    ).bytes,
  );
  assert.equal(errorOf(t.actions.lastStun()), 400);
  const malformed = t.core.stats.rejected.TURN_MALFORMED;
  t.core.handleStun(
    t.tuple,
    request(StunMethod.send, [a(xorPeerAddress, zero), a(data, Uint8Array.of(1))], undefined, {
      cls: 'indication',
    }).bytes,
  );
  assert.equal(t.actions.toPeers.length, 0, 'nothing was sent to port 0');
  assert.equal(t.core.stats.rejected.TURN_MALFORMED, malformed + 1);
});
