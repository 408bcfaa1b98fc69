import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AddressQuotas } from '../../../src/dialects/topics/address-quotas.js';

function quotas(load = 0, overrides: Partial<{ topicsMaxConnectionsPerAddress: number }> = {}) {
  let clock = 1_000_000;
  let smoothed = load;
  const q = new AddressQuotas({
    config: {
      topicsMaxConnections: 3,
      topicsMaxConnectionsPerAddress: overrides.topicsMaxConnectionsPerAddress ?? 2,
      topicsMaxTopicsPerAddress: 5,
      topicsEventsPerSecond: 1,
      topicsEventBurst: 2,
      powLoadKnee: 0.5,
      loadSampleMs: 1000,
    },
    load: { current: () => ({ cpu: smoothed, mem: 0, smoothed }) },
    now: () => clock,
  });
  return {
    q,
    tick: (ms: number) => (clock += ms),
    setLoad: (value: number) => (smoothed = value),
  };
}

test('connections: per address, in total, and none under heavy load', () => {
  const { q, setLoad } = quotas();
  q.connected('a');
  q.connected('a');
  assert.equal(q.admit('a')?.code, 'TOPIC_CONNECTIONS_PER_ADDRESS');
  assert.equal(q.admit('b'), undefined);
  q.connected('b');
  assert.equal(q.admit('c')?.code, 'TOPIC_CONNECTION_LIMIT');
  q.disconnected('b');
  assert.equal(q.admit('c'), undefined);
  setLoad(0.96);
  const refusal = q.admit('c');
  assert.equal(refusal?.code, 'TOPIC_CONNECTION_LIMIT');
  assert.equal(refusal?.retryAfter, 1);
});

test('topics per address are counted across connections and given back', () => {
  const { q } = quotas();
  q.connected('a');
  assert.equal(q.addTopics('a', 3), undefined);
  assert.equal(q.addTopics('a', 3)?.code, 'TOPIC_LIMIT_REACHED');
  q.removeTopics('a', 3);
  assert.equal(q.addTopics('a', 5), undefined);
});

test('events: the connection bucket, then the address bucket; a loaded node charges more', () => {
  const { q, tick, setLoad } = quotas();
  q.connected('a');
  const bucket = q.connectionBucket();
  assert.equal(q.takeEvent(bucket, 'a'), undefined);
  assert.equal(q.takeEvent(bucket, 'a'), undefined);
  assert.equal(q.takeEvent(bucket, 'a')?.code, 'TOPIC_RATE_LIMITED');
  tick(1000);
  assert.equal(q.takeEvent(bucket, 'a'), undefined, 'one token a second');
  // Load 0.75, knee 0.5: an event costs two tokens.
  setLoad(0.75);
  tick(2000);
  assert.equal(q.takeEvent(bucket, 'a'), undefined);
  const refused = q.takeEvent(bucket, 'a');
  assert.equal(refused?.code, 'TOPIC_RATE_LIMITED');
  assert.match(refused?.message ?? '', /loaded: at most 0\.5 events per second/);
});

test('reconnecting does not refill the address budget; an idle address is forgotten after a minute', () => {
  const { q, tick } = quotas(0, { topicsMaxConnectionsPerAddress: 100 });
  q.connected('a');
  // Ten connections' worth of burst per address: 20 events, then the address is dry.
  let taken = 0;
  for (let i = 0; i < 30; i++) if (q.takeEvent(q.connectionBucket(), 'a') === undefined) taken++;
  assert.equal(taken, 20);
  q.disconnected('a');
  q.connected('a');
  assert.equal(q.takeEvent(q.connectionBucket(), 'a')?.code, 'TOPIC_RATE_LIMITED');
  q.disconnected('a');
  tick(30_000);
  q.prune();
  assert.equal(q.addresses, 1);
  tick(31_000);
  q.prune();
  assert.equal(q.addresses, 0);
});
