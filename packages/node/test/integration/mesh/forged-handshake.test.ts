import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHash } from 'node:crypto';
import {
  admissionText,
  MESH_PROTOCOL_VERSION,
  meshTranscript,
  solvePrefix,
  toBase64url,
  utf8,
} from '@sigmesh/protocol';
import { WebSocket } from 'ws';
import { createEphemeralIdentity } from '../../../src/index.js';
import { startTestNode } from '../../helpers/test-node.js';
import { waitFor } from '../../helpers/wait-for.js';

/** Opens a raw WebSocket to a node's /mesh and returns it with the node's hello. */
async function rawLink(
  url: string,
): Promise<{ ws: WebSocket; hello: { node: string; nonce: string; admit: number } }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/mesh`);
  const [data] = (await once(ws, 'message')) as [Buffer];
  return {
    ws,
    hello: JSON.parse(data.toString()) as { node: string; nonce: string; admit: number },
  };
}

/** The close code, or -1 when the node has not closed the link within 5 s (it accepted it). */
async function closeCode(ws: WebSocket): Promise<number> {
  const closed = once(ws, 'close').then(([code]) => code as number);
  const code = await Promise.race([closed, sleep(5_000).then(() => -1)]);
  if (code === -1) ws.terminate();
  return code;
}

test('a node claiming a key it cannot sign for is refused; the node keeps serving', async (t) => {
  const node = await startTestNode(t);
  const victim = createEphemeralIdentity(); // whose id the attacker claims
  const attacker = createEphemeralIdentity();
  const { ws, hello } = await rawLink(node.url());
  assert.equal(hello.node, node.id());
  const nonce = toBase64url(new Uint8Array(32).fill(7));
  ws.send(
    JSON.stringify({
      t: 'hello',
      node: victim.id,
      nonce,
      url: 'http://127.0.0.1:1',
      version: 'x',
      proto: MESH_PROTOCOL_VERSION,
      admit: 0,
    }),
  );
  const transcript = meshTranscript(hello.nonce, nonce, victim.id, node.id());
  ws.send(JSON.stringify({ t: 'auth', sig: toBase64url(attacker.sign(utf8(transcript))) }));
  assert.equal(await closeCode(ws), 4001);
  assert.equal(node.meshStats().links, 0);

  // A signature replayed from another link (other nonces) fails the same way.
  const second = await rawLink(node.url());
  second.ws.send(
    JSON.stringify({
      t: 'hello',
      node: victim.id,
      nonce,
      url: 'http://127.0.0.1:1',
      version: 'x',
      proto: MESH_PROTOCOL_VERSION,
      admit: 0,
    }),
  );
  const stale = meshTranscript(hello.nonce, nonce, victim.id, node.id()); // signed for the first link's nonce
  second.ws.send(JSON.stringify({ t: 'auth', sig: toBase64url(victim.sign(utf8(stale))) }));
  assert.equal(await closeCode(second.ws), 4001);

  const response = await fetch(`${node.url()}/`, { headers: { accept: 'application/json' } });
  assert.equal(response.status, 200, 'the node is unharmed');
});

test('a node id anyone can sign for (a small-order key) is refused, even with its admission work', async (t) => {
  const node = await startTestNode(t);
  // The identity point: with R = it and S = 0, OpenSSL takes the "signature" of any transcript.
  const weak = new Uint8Array(32);
  weak[0] = 1;
  const weakId = Buffer.from(weak).toString('hex');
  const { ws, hello } = await rawLink(node.url());
  const nonce = toBase64url(new Uint8Array(32).fill(5));
  ws.send(
    JSON.stringify({
      t: 'hello',
      node: weakId,
      nonce,
      url: 'http://127.0.0.1:1',
      version: 'x',
      proto: MESH_PROTOCOL_VERSION,
      admit: 0,
    }),
  );
  const forged = new Uint8Array(64);
  forged.set(weak);
  const prefix = createHash('sha256').update(admissionText(hello.nonce, weakId)).digest();
  const work = await solvePrefix(prefix, hello.admit);
  ws.send(JSON.stringify({ t: 'auth', sig: toBase64url(forged), work }));
  assert.equal(await closeCode(ws), 4001);
  assert.equal(node.meshStats().links, 0);
});

test('room frames before the handshake, garbage and binary frames cut the link', async (t) => {
  const node = await startTestNode(t);
  const early = await rawLink(node.url());
  early.ws.send(JSON.stringify({ t: 'interest', add: [], remove: [] }));
  assert.equal(await closeCode(early.ws), 4001);
  const garbage = await rawLink(node.url());
  garbage.ws.send('{not json');
  assert.equal(await closeCode(garbage.ws), 4001);
  const binary = await rawLink(node.url());
  binary.ws.send(Buffer.from([1, 2, 3]));
  assert.equal(await closeCode(binary.ws), 4001);
});

test('another protocol version, or a dialer without its admission work, is refused', async (t) => {
  const node = await startTestNode(t);
  const me = createEphemeralIdentity();
  const nonce = toBase64url(new Uint8Array(32).fill(9));
  const old = await rawLink(node.url());
  old.ws.send(JSON.stringify({ t: 'hello', node: me.id, nonce, url: 'http://x', version: 'x' }));
  assert.equal(await closeCode(old.ws), 4001, 'a v1 hello (no proto, no admit)');
  const future = await rawLink(node.url());
  future.ws.send(
    JSON.stringify({
      t: 'hello',
      node: me.id,
      nonce,
      url: 'http://x',
      version: 'x',
      proto: 99,
      admit: 0,
    }),
  );
  assert.equal(await closeCode(future.ws), 4001, 'another version');

  const unpaid = await rawLink(node.url());
  assert.ok(unpaid.hello.admit > 0, 'the node asks dialers for admission work');
  unpaid.ws.send(
    JSON.stringify({
      t: 'hello',
      node: me.id,
      nonce,
      url: 'http://x',
      version: 'x',
      proto: MESH_PROTOCOL_VERSION,
      admit: 0,
    }),
  );
  const transcript = meshTranscript(unpaid.hello.nonce, nonce, me.id, node.id());
  unpaid.ws.send(
    JSON.stringify({ t: 'auth', sig: toBase64url(me.sign(utf8(transcript))), work: 1 }),
  );
  assert.equal(await closeCode(unpaid.ws), 4001, 'a valid signature without valid work');
  assert.equal(node.meshStats().links, 0);
});

test('a genuine node completes the handshake and is linked once', async (t) => {
  const a = await startTestNode(t);
  const b = await startTestNode(t);
  assert.equal(await a.connect(b.url()), b.id());
  assert.equal(a.meshStats().links, 1);
  // The dialer is done once it verified b; b verifies the dialer's last handshake message just
  // after (seen once in CI: 0 links at b at the moment connect resolved).
  await waitFor(() => b.meshStats().links === 1, 'b to count the link');
  await sleep(200);
  assert.deepEqual([a.meshStats().links, b.meshStats().links], [1, 1], 'linked once, both sides');
});
