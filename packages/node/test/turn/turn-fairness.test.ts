/**
 * Issue 11, finding 2: cheap credentials must not let one client hold every TURN allocation for
 * an hour. Socket-free: the core with a recording sink and an injected clock.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lifetime } from '../../src/turn/attributes/lifetime.js';
import { requestedTransport } from '../../src/turn/attributes/requested-transport.js';
import { readAttribute } from '../../src/turn/attribute-reader.js';
import { mintTurnCredentials } from '../../src/turn/rest-credentials.js';
import { StunMethod } from '../../src/turn/stun-message.js';
import type { TurnServerOptions } from '../../src/turn/turn-options.js';
import { RELAYED, SECRET, setup } from './turn-core-setup.js';
import {
  a,
  challengeOf,
  errorOf,
  request,
  udpTuple,
  type ClientCredentials,
} from './turn-test-client.js';

/** A core plus a way to allocate from any address with fresh credentials, as an attacker would. */
function server(overrides: Partial<TurnServerOptions> = {}) {
  const t = setup(overrides);
  const nonces = new Map<string, { realm: string; nonce: string }>();
  let port = 10_000;
  const credentialsFor = (address: string, id: string): ClientCredentials => {
    let challenge = nonces.get(address);
    if (challenge === undefined) {
      t.core.handleStun(
        udpTuple(address, 1),
        request(StunMethod.allocate, [a(requestedTransport, 17)]).bytes,
      );
      challenge = challengeOf(t.actions.lastStun());
      nonces.set(address, challenge);
    }
    const minted = mintTurnCredentials({ secret: SECRET, id, ttlSeconds: 3600, nowMs: t.now() });
    return { username: minted.username, password: minted.credential, ...challenge };
  };
  /**
   * One Allocate on a new 5-tuple, 25 ms after the previous one (under the per-source request
   * rate); the STUN error code (undefined on success) and the granted lifetime.
   */
  const allocate = (address: string, credentials: ClientCredentials, seconds = 3600) => {
    const tuple = udpTuple(address, ++port);
    t.advance(25);
    const answers = t.actions.toClients.length;
    t.core.handleStun(
      tuple,
      request(StunMethod.allocate, [a(requestedTransport, 17), a(lifetime, seconds)], credentials)
        .bytes,
    );
    const opened = t.actions.opened.at(-1);
    if (opened !== undefined && t.core.state.pending.has(tuple.key))
      t.core.relayOpened(opened.id, tuple.key, RELAYED);
    assert.equal(t.actions.toClients.length, answers + 1, 'the Allocate was answered');
    const answer = t.actions.lastStun();
    const granted = readAttribute(answer, lifetime);
    return {
      tuple,
      error: errorOf(answer),
      lifetime: granted?.ok === true ? granted.value : undefined,
    };
  };
  return { ...t, credentialsFor, allocate };
}

test('101 credentials from one address cannot take every allocation: another address still gets one', () => {
  const s = server();
  let granted = 0;
  for (let c = 0; c <= 100; c++) {
    const credentials = s.credentialsFor('198.51.100.7', `attacker-${c}`);
    for (let i = 0; i < 10; i++)
      if (s.allocate('198.51.100.7', credentials).error === undefined) granted++;
  }
  assert.ok(granted < 1000, `one address holds ${granted} allocations`);
  assert.equal(granted, s.core.options.maxAllocationsPerAddress, 'the per-address share');
  assert.equal(
    s.core.stats.rejected.TURN_QUOTA_EXCEEDED,
    1010 - granted,
    'the rest were refused (486)',
  );
  const newcomer = s.allocate('192.0.2.44', s.credentialsFor('192.0.2.44', 'newcomer'));
  assert.equal(newcomer.error, undefined, 'a newcomer from another address is served');
});

test('allocations granted while the server is crowded are short: abandoned ones free their slots within minutes', () => {
  const s = server();
  // Many addresses, each within every per-address and per-credential share, fill the server.
  let address = 0;
  while (s.core.state.allocations.size < s.core.options.maxAllocations) {
    const ip = `203.0.113.${++address}`;
    const credentials = s.credentialsFor(ip, `filler-${address}`);
    for (let i = 0; i < 10; i++) s.allocate(ip, credentials);
    assert.ok(address < 250, 'the server fills up');
  }
  const late = s.allocate('192.0.2.44', s.credentialsFor('192.0.2.44', 'newcomer'));
  assert.notEqual(late.error, undefined, 'a full server refuses');
  // Nobody refreshes: within ten minutes (not an hour) the crowded grants have expired.
  s.advance(600_000);
  s.core.sweep();
  const newcomer = s.allocate('192.0.2.44', s.credentialsFor('192.0.2.44', 'newcomer-2'));
  assert.equal(
    newcomer.error,
    undefined,
    'the newcomer gets an allocation after the short grants ran out',
  );
});

test('the per-address share is 486 for the address, counts an IPv6 /64 as one client, and frees with the allocation', () => {
  const s = server({ maxAllocationsPerAddress: 2, maxAllocationsPerUsername: 10 });
  const v6 = s.credentialsFor('2001:db8:1:2::1', 'v6');
  const first = s.allocate('2001:db8:1:2::1', v6);
  assert.equal(first.error, undefined);
  assert.equal(s.allocate('2001:db8:1:2::1', v6).error, undefined);
  const sameSubnet = s.credentialsFor('2001:db8:1:2:ffff::9', 'v6-neighbour');
  assert.equal(s.allocate('2001:db8:1:2:ffff::9', sameSubnet).error, 486, 'same /64, same share');
  const otherSubnet = s.credentialsFor('2001:db8:1:3::1', 'v6-other');
  assert.equal(s.allocate('2001:db8:1:3::1', otherSubnet).error, undefined, 'another /64');
  s.core.deleteAllocation(s.core.state.allocations.get(first.tuple.key)!);
  assert.equal(s.allocate('2001:db8:1:2:ffff::9', sameSubnet).error, undefined, 'freed share');
});

test('while crowded, Allocate and Refresh grant at most crowdedLifetimeSeconds; a client that refreshes keeps its allocation', () => {
  const s = server({ maxAllocations: 10, crowdedPercent: 50, crowdedLifetimeSeconds: 120 });
  const early = s.credentialsFor('198.51.100.1', 'early');
  const lifetimes = Array.from({ length: 6 }, () => s.allocate('198.51.100.1', early).lifetime);
  assert.deepEqual(lifetimes, [3600, 3600, 3600, 3600, 3600, 120], 'short from 50 % full');
  const keptCredentials = s.credentialsFor('198.51.100.2', 'kept');
  const kept = s.allocate('198.51.100.2', keptCredentials);
  assert.equal(kept.lifetime, 120);
  for (let minute = 0; minute < 10; minute++) {
    s.advance(60_000);
    s.core.sweep();
    s.core.handleStun(
      kept.tuple,
      request(StunMethod.refresh, [a(lifetime, 3600)], keptCredentials).bytes,
    );
    const refreshed = s.actions.lastStun();
    assert.equal(refreshed.cls, 'success');
    assert.deepEqual(readAttribute(refreshed, lifetime), { ok: true, value: 120 });
  }
  assert.ok(s.core.state.allocations.has(kept.tuple.key), 'refreshed every minute, still alive');
  assert.equal(s.core.state.allocations.size, 6, 'the unrefreshed crowded grant expired');
});
