import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { SigmeshError, utf8, type ErrorCode } from '@sigmesh/protocol';
import { createDhtProxy } from '../../src/discovery/dht-proxy.js';
import { createSigner } from '../../src/discovery/ed25519-keys.js';
import { signItem } from '../../src/discovery/signed-item.js';
import { createFakeDht } from './fake-dht-client.js';

function setup() {
  const fake = createFakeDht();
  const client = fake.client();
  let now = 1_000_000;
  let available = true;
  const proxy = createDhtProxy({
    client: () => client,
    available: () => available,
    now: () => now,
    getCacheMs: 5_000,
    notFoundCacheMs: 1_000,
    maxCacheEntries: 2,
  });
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const me = createSigner({ publicKey, privateKey });
  return {
    fake,
    proxy,
    me,
    advance: (ms: number) => (now += ms),
    setAvailable: (value: boolean) => (available = value),
  };
}

async function codeOf(promise: Promise<unknown>): Promise<ErrorCode | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    assert.ok(error instanceof SigmeshError, String(error));
    return error.code;
  }
}

test('put then get returns the item; an identical re-put counts as stored, not as an error', async () => {
  const { proxy, me } = setup();
  const item = signItem(me, utf8('room'), 5, utf8('hello'));
  const put = await proxy.put(item);
  assert.equal(put.seq, 5);
  assert.equal(put.stored, 3);
  const got = await proxy.get(me.publicKeyRaw, utf8('room'));
  assert.equal(got.seq, 5);
  assert.equal(got.target, put.target);
  assert.deepEqual(await proxy.put(item), { target: put.target, seq: 5, stored: 0 });
});

test('a lower or equal seq with another value is DHT_SEQ_STALE; cas mismatch is DHT_CAS_MISMATCH', async () => {
  const { proxy, me } = setup();
  await proxy.put(signItem(me, new Uint8Array(0), 5, utf8('five')));
  assert.equal(
    await codeOf(proxy.put(signItem(me, new Uint8Array(0), 4, utf8('four')))),
    'DHT_SEQ_STALE',
  );
  assert.equal(
    await codeOf(proxy.put(signItem(me, new Uint8Array(0), 5, utf8('other five')))),
    'DHT_SEQ_STALE',
  );
  assert.equal(
    await codeOf(proxy.put({ ...signItem(me, new Uint8Array(0), 6, utf8('six')), cas: 4 })),
    'DHT_CAS_MISMATCH',
  );
  assert.equal(
    (await proxy.put({ ...signItem(me, new Uint8Array(0), 6, utf8('six')), cas: 5 })).seq,
    6,
  );
});

test('a 302 from the DHT itself maps to DHT_SEQ_STALE', async () => {
  const { proxy, me, fake } = setup();
  const first = signItem(me, new Uint8Array(0), 9, utf8('nine'));
  // Hide the stored item from reads so only the put sees it (as when storing nodes disagree).
  await proxy.put(first);
  const client = fake.client();
  const hidden = { ...client, getMutable: () => Promise.resolve(undefined) };
  const blind = createDhtProxy({
    client: () => hidden,
    available: () => true,
    now: () => 0,
    getCacheMs: 0,
    notFoundCacheMs: 0,
    maxCacheEntries: 1,
  });
  assert.equal(
    await codeOf(blind.put(signItem(me, new Uint8Array(0), 8, utf8('eight')))),
    'DHT_SEQ_STALE',
  );
});

test('bad signature, not found and unavailable each have their code', async () => {
  const { proxy, me, fake, setAvailable } = setup();
  const item = signItem(me, new Uint8Array(0), 1, utf8('x'));
  const forged = { ...item, v: utf8('y') };
  assert.equal(await codeOf(proxy.put(forged)), 'DHT_SIGNATURE_INVALID');
  assert.equal(await codeOf(proxy.get(me.publicKeyRaw, utf8('nothing here'))), 'DHT_NOT_FOUND');
  setAvailable(false);
  assert.equal(await codeOf(proxy.get(me.publicKeyRaw, new Uint8Array(0))), 'DHT_UNAVAILABLE');
  await assert.rejects(
    proxy.get(me.publicKeyRaw, new Uint8Array(0)),
    (error: unknown) => error instanceof SigmeshError && error.retryAfter === 5,
  );
  assert.equal(await codeOf(proxy.put(item)), 'DHT_UNAVAILABLE');
  setAvailable(true);
  fake.down = true;
  assert.equal(await codeOf(proxy.put(item)), 'DHT_UNAVAILABLE');
});

test('gets are cached briefly; "not found" for less time', async () => {
  const { proxy, me, fake, advance } = setup();
  const other = fake.client();
  const salt = utf8('cached');
  assert.equal(await codeOf(proxy.get(me.publicKeyRaw, salt)), 'DHT_NOT_FOUND');
  await other.putMutable(signItem(me, salt, 1, utf8('one')));
  assert.equal(
    await codeOf(proxy.get(me.publicKeyRaw, salt)),
    'DHT_NOT_FOUND',
    'negative answer still cached',
  );
  advance(1_000);
  assert.equal((await proxy.get(me.publicKeyRaw, salt)).seq, 1);
  await other.putMutable(signItem(me, salt, 2, utf8('two')));
  advance(4_999);
  assert.equal(
    (await proxy.get(me.publicKeyRaw, salt)).seq,
    1,
    'positive answer cached for getCacheMs',
  );
  advance(1);
  assert.equal((await proxy.get(me.publicKeyRaw, salt)).seq, 2);
});
