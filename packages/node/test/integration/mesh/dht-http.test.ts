import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { encodeDhtItem, toBase64url, utf8, type DhtItemJson } from '@sigmesh/protocol';
import { createSigner } from '../../../src/discovery/ed25519-keys.js';
import { signItem } from '../../../src/discovery/signed-item.js';
import { challengeFor, rawRequest, solveToken } from '../../helpers/raw-http.js';
import { startTestnet } from '../../helpers/test-testnet.js';
import { waitFor } from '../../helpers/wait-for.js';

async function put(baseUrl: string, item: DhtItemJson) {
  const body = JSON.stringify(item);
  const { challenge } = await challengeFor(baseUrl, 'dht-put');
  return rawRequest(`${baseUrl}/dht-put`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: `PoW ${await solveToken(challenge, utf8(body))}`,
    },
    body,
  });
}

async function get(baseUrl: string, k: string, salt: string) {
  const { challenge } = await challengeFor(baseUrl, 'dht-get');
  const token = await solveToken(challenge, utf8(`${k}\n${salt}`));
  return rawRequest(`${baseUrl}/dht-get?k=${k}&salt=${salt}`, {
    headers: { accept: 'application/json', authorization: `PoW ${token}` },
  });
}

const code = (response: { json(): unknown }): string => (response.json() as { code: string }).code;

test('a client-signed item put through one node is read back through another; bad items get their own codes', async (t) => {
  const net = await startTestnet(t, { nodes: 2 });
  const [n1, n2] = net.nodes;
  await waitFor(
    () => n1!.dhtStatus().bootstrapped && n2!.dhtStatus().bootstrapped,
    'both nodes on the DHT',
  );
  const client = createSigner(generateKeyPairSync('ed25519'));
  const salt = utf8('profile');
  const item = encodeDhtItem(signItem(client, salt, 2, utf8('{"name":"ada"}')));

  const stored = await put(n1!.url(), item);
  assert.equal(stored.status, 200, stored.body);
  const read = await get(n2!.url(), item.k, toBase64url(salt));
  assert.equal(read.status, 200, read.body);
  assert.equal((read.json() as DhtItemJson).v, item.v);
  assert.equal((read.json() as DhtItemJson).seq, 2);

  const forged = { ...item, v: toBase64url(utf8('{"name":"eve"}')) };
  assert.equal(code(await put(n1!.url(), forged)), 'DHT_SIGNATURE_INVALID');

  const oversize = { ...item, v: toBase64url(new Uint8Array(997).fill(97)) };
  const big = await put(n1!.url(), oversize);
  assert.equal(big.status, 413);
  assert.equal(code(big), 'DHT_VALUE_TOO_LARGE');

  const stale = encodeDhtItem(signItem(client, salt, 1, utf8('{"name":"old"}')));
  const refused = await put(n2!.url(), stale);
  assert.equal(refused.status, 409);
  assert.equal(code(refused), 'DHT_SEQ_STALE');

  assert.equal(
    (
      await rawRequest(`${n1!.url()}/dht-get?k=${item.k}`, {
        headers: { accept: 'application/json' },
      })
    ).status,
    401,
    'gets need PoW too',
  );
});
