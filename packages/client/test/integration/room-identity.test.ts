import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  fileIdentityStore,
  loadOrCreateIdentity,
  verifySignature,
  type PeerIdentity,
} from '../../src/index.js';
import { startMeshTestnet } from '../helpers/testnet.js';
import { joinWithWerift, nextEvent } from '../helpers/werift-client.js';

test('a client joining with a lasting identity is known by it: same id and fingerprint on every join', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sigmesh-room-identity-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'identity.json');
  const identity = await loadOrCreateIdentity({ store: fileIdentityStore(path) });
  const testnet = await startMeshTestnet(t, 2);
  const [n1, n2] = testnet.nodes;
  const room = { appId: 'test', room: 'people', turn: false };

  const b = await joinWithWerift(t, { ...room, nodes: [n2!.url()] });
  const bJoined = nextEvent(b, 'peer-join');
  const a = await joinWithWerift(t, { ...room, nodes: [n1!.url()], identity });
  const aJoined = nextEvent(a, 'peer-join');
  assert.equal(a.selfId, identity.id);
  const [aId, aIdentity] = (await bJoined) as [string, PeerIdentity];
  assert.equal(aId, identity.id);
  assert.deepEqual(aIdentity, {
    algorithm: 'Ed25519',
    publicKey: identity.publicKey,
    fingerprint: identity.fingerprint,
  });
  assert.deepEqual(
    b.peers().map((peer) => peer.identity),
    [aIdentity],
  );
  const [, bIdentity] = (await aJoined) as [string, PeerIdentity];
  assert.equal(bIdentity.algorithm, 'P-256');

  // What the app at B can do with it: check a statement A signs over the data channel.
  const statement = new TextEncoder().encode(`I am ${identity.fingerprint}`);
  const signature = await identity.sign(statement);
  assert.equal(await verifySignature(aIdentity.publicKey, statement, signature), true);

  // A leaves; the next run loads the same identity from its file and rejoins: B sees the same person.
  const left = nextEvent(b, 'peer-leave');
  a.leave();
  await left;
  const reloaded = await loadOrCreateIdentity({ store: fileIdentityStore(path) });
  const rejoined = nextEvent(b, 'peer-join');
  const again = await joinWithWerift(t, { ...room, nodes: [n1!.url()], identity: reloaded });
  assert.equal(again.selfId, a.selfId);
  const [againId, againIdentity] = (await rejoined) as [string, PeerIdentity];
  assert.equal(againId, a.selfId);
  assert.equal(againIdentity.fingerprint, aIdentity.fingerprint);
});

test('joinRoom refuses an identity option that is not an Identity', async (t) => {
  await assert.rejects(
    joinWithWerift(t, {
      appId: 'test',
      room: 'people',
      nodes: ['http://127.0.0.1:9'],
      identity: { id: 'x', publicKey: 'y' } as never,
    }),
    (error) => (error as { code?: string }).code === 'CLIENT_OPTIONS_INVALID',
  );
});
