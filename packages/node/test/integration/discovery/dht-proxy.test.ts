import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { encodeDhtItem, SigmeshError, toBase64url, utf8, type ErrorCode } from '@sigmesh/protocol';
import { createSigner } from '../../../src/discovery/ed25519-keys.js';
import { signItem, validateSignedItem } from '../../../src/discovery/signed-item.js';
import { bootstrapped, someOf, startLocalDht, startMember } from './discovery-harness.js';

async function codeOf(promise: Promise<unknown>): Promise<ErrorCode | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    assert.ok(error instanceof SigmeshError, String(error));
    return error.code;
  }
}

/** What a route handler does: validate the JSON body, then forward. */
async function putJson(member: Awaited<ReturnType<typeof startMember>>, body: unknown) {
  const item = validateSignedItem(JSON.parse(JSON.stringify(body)));
  if (!item.ok) throw new SigmeshError(item.code, item.message);
  return member.discovery.dhtPut(item.value);
}

test('a client-signed item put through one node is read back through another', async (t) => {
  const dht = await startLocalDht(t, 15);
  const [a, b] = [await startMember(t, someOf(dht)), await startMember(t, someOf(dht))];
  await Promise.all([bootstrapped(a), bootstrapped(b)]);
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const client = createSigner({ publicKey, privateKey });
  const salt = utf8('profile');

  assert.equal(await codeOf(b.discovery.dhtGet(client.publicKeyRaw, salt)), 'DHT_NOT_FOUND');
  const started = performance.now();
  const put = await putJson(a, encodeDhtItem(signItem(client, salt, 1, utf8('{"name":"ada"}'))));
  const putMs = performance.now() - started;
  assert.equal(put.seq, 1);
  assert.ok(put.stored > 0);
  // "not found" is cached for notFoundCacheMs (1 s by default); wait it out rather than clear it.
  await new Promise((resolve) => setTimeout(resolve, 1_050));
  const got = await b.discovery.dhtGet(client.publicKeyRaw, salt);
  assert.equal(got.target, put.target);
  assert.equal(got.seq, 1);
  assert.equal(Buffer.from(got.v, 'base64url').toString(), '{"name":"ada"}');
  assert.equal(got.salt, toBase64url(salt));
  t.diagnostic(`put through node A: ${putMs.toFixed(0)} ms`);

  // An identical re-put through the other node is "already stored", not an error.
  assert.equal(
    (await putJson(b, encodeDhtItem(signItem(client, salt, 1, utf8('{"name":"ada"}'))))).stored,
    0,
  );
});

test('bad signature, oversize value, oversize salt and stale seq each get their own code', async (t) => {
  const dht = await startLocalDht(t, 12);
  const [a, b, c] = [
    await startMember(t, someOf(dht)),
    await startMember(t, someOf(dht)),
    await startMember(t, someOf(dht)),
  ];
  await Promise.all([bootstrapped(a), bootstrapped(b), bootstrapped(c)]);
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const client = createSigner({ publicKey, privateKey });
  const good = encodeDhtItem(signItem(client, new Uint8Array(0), 5, utf8('five')));

  assert.equal(
    await codeOf(putJson(a, { ...good, v: toBase64url(utf8('six!')) })),
    'DHT_SIGNATURE_INVALID',
  );
  assert.equal(
    await codeOf(putJson(a, { ...good, v: toBase64url(new Uint8Array(997)) })),
    'DHT_VALUE_TOO_LARGE',
  );
  assert.equal(
    await codeOf(putJson(a, { ...good, salt: toBase64url(new Uint8Array(65)) })),
    'DHT_SALT_TOO_LARGE',
  );

  assert.equal((await putJson(a, good)).seq, 5);
  // Through the other node, which has never seen this key: the DHT itself knows seq 5.
  const older = encodeDhtItem(signItem(client, new Uint8Array(0), 4, utf8('four')));
  assert.equal(await codeOf(putJson(b, older)), 'DHT_SEQ_STALE');
  const sameSeq = encodeDhtItem(signItem(client, new Uint8Array(0), 5, utf8('another five')));
  assert.equal(await codeOf(putJson(b, sameSeq)), 'DHT_SEQ_STALE');
  assert.equal(
    (await putJson(b, encodeDhtItem(signItem(client, new Uint8Array(0), 6, utf8('six'))))).seq,
    6,
  );
  // Read through a third node (a would answer seq 5 from its brief get cache for getCacheMs).
  assert.equal((await c.discovery.dhtGet(client.publicKeyRaw, new Uint8Array(0))).seq, 6);
});
