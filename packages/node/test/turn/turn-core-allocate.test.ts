import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lifetime } from '../../src/turn/attributes/lifetime.js';
import { requestedTransport } from '../../src/turn/attributes/requested-transport.js';
import { xorMappedAddress } from '../../src/turn/attributes/xor-mapped-address.js';
import { xorRelayedAddress } from '../../src/turn/attributes/xor-relayed-address.js';
import { readAttribute } from '../../src/turn/attribute-reader.js';
import { mintTurnCredentials } from '../../src/turn/rest-credentials.js';
import { verifyMessageIntegrity } from '../../src/turn/stun-integrity.js';
import { StunMethod } from '../../src/turn/stun-message.js';
import { a, challengeOf, errorOf, request, udpTuple } from './turn-test-client.js';
import { RELAYED, SECRET, setup } from './turn-core-setup.js';

test('Binding answers with the reflexive address, without authentication', () => {
  const { core, actions, tuple } = setup();
  core.handleStun(tuple, request(StunMethod.binding, []).bytes);
  const response = actions.lastStun();
  assert.equal(response.cls, 'success');
  assert.deepEqual(readAttribute(response, xorMappedAddress), { ok: true, value: tuple.client });
});

test('first Allocate gets 401 with REALM and NONCE; then the allocation succeeds, signed', () => {
  const t = setup();
  const credentials = t.credentials();
  assert.equal(credentials.realm, 'sigmesh');
  const { response } = t.allocate(credentials);
  assert.equal(response.cls, 'success');
  assert.ok(verifyMessageIntegrity(response, t.key(credentials)));
  assert.deepEqual(readAttribute(response, xorRelayedAddress), { ok: true, value: RELAYED });
  assert.deepEqual(readAttribute(response, xorMappedAddress), { ok: true, value: t.tuple.client });
  assert.deepEqual(readAttribute(response, lifetime), { ok: true, value: 600 });
  assert.equal(t.core.state.allocations.size, 1);
});

test('a retransmitted Allocate gets the cached success; a new transaction gets 437', () => {
  const t = setup();
  const credentials = t.credentials();
  const { sent } = t.allocate(credentials);
  const first = t.actions.toClients.at(-1)?.data;
  t.core.handleStun(t.tuple, sent.bytes);
  assert.deepEqual(t.actions.toClients.at(-1)?.data, first);
  assert.equal(t.actions.opened.length, 1);
  t.allocate(credentials);
  const mismatch = t.actions.lastStun();
  assert.equal(errorOf(mismatch), 437);
  assert.ok(verifyMessageIntegrity(mismatch, t.key(credentials)));
});

test('forged, expired, wrong-realm credentials get 401; a bad nonce gets 438', () => {
  const t = setup();
  const good = t.credentials();
  t.allocate({ ...good, password: 'forged' });
  assert.equal(errorOf(t.actions.lastStun()), 401);
  const expired = mintTurnCredentials({
    secret: SECRET,
    id: 'bob',
    ttlSeconds: 60,
    nowMs: t.now(),
  });
  t.advance(61_000);
  t.allocate({ ...good, username: expired.username, password: expired.credential });
  assert.equal(errorOf(t.actions.lastStun()), 401);
  t.allocate({ ...good, realm: 'elsewhere' });
  assert.equal(errorOf(t.actions.lastStun()), 401);
  t.allocate({
    ...good,
    nonce:
      `${good.nonce.slice(0, 31)}0` === good.nonce
        ? `${good.nonce.slice(0, 31)}1`
        : `${good.nonce.slice(0, 31)}0`,
  });
  const stale = t.actions.lastStun();
  assert.equal(errorOf(stale), 438);
  assert.ok(challengeOf(stale).nonce.length > 0);
  assert.equal(t.core.state.allocations.size, 0);
  assert.equal(t.core.stats.rejected.TURN_CREDENTIALS_INVALID, 3);
  assert.equal(t.core.stats.rejected.TURN_NONCE_STALE, 1);
});

test('a nonce is bound to the client address and expires after nonceLifetimeSeconds', () => {
  const t = setup({ nonceLifetimeSeconds: 100 });
  const credentials = t.credentials();
  const other = udpTuple('198.51.100.99', 40000);
  t.core.handleStun(
    other,
    request(StunMethod.allocate, [a(requestedTransport, 17)], credentials).bytes,
  );
  assert.equal(errorOf(t.actions.lastStun()), 438);
  t.advance(101_000);
  t.allocate(credentials);
  assert.equal(errorOf(t.actions.lastStun()), 438);
});

test('credentials minted with any configured secret are accepted (rotation)', () => {
  const t = setup({ secrets: ['new-secret', SECRET] });
  const credentials = t.credentials('carol', 3600, SECRET);
  assert.equal(t.allocate(credentials).response.cls, 'success');
});
