import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { deriveRoomHash } from '@sigmesh/protocol';
import { createEphemeralIdentity } from '../../../src/index.js';
import { hostileLink, phantomPeers } from '../../helpers/hostile-node.js';
import { spawnNode } from '../../helpers/node-process.js';
import { joinRoom } from '../../helpers/room-client.js';
import { waitFor } from '../../helpers/wait-for.js';

// The hostile node against a `sigmesh start` process, as an attacker would meet it on the
// internet: every attack at once, from several fresh keys, while an honest member keeps using
// the node.

test('a node process under a hostile node: privacy, impersonation, phantoms, floods, bans — and it keeps serving', async (t) => {
  const node = await spawnNode(t, { args: ['--mesh-max-members-per-owner', '500'] });
  const secret = deriveRoomHash('app', `secret-${randomBytes(8).toString('hex')}`);
  const lobby = deriveRoomHash('app', 'public-lobby');
  const [hidden, alice, bob] = await Promise.all([
    joinRoom(node.url, secret),
    joinRoom(node.url, lobby),
    joinRoom(node.url, lobby),
  ]);
  t.after(() => [hidden, alice, bob].forEach((m) => m.close()));

  const spy = await hostileLink(node.url);
  t.after(() => spy.ws.close());
  await spy.frame((f) => f.t === 'interest', 'the node’s interests');
  await sleep(200);
  assert.ok(!JSON.stringify(spy.frames).includes(secret), 'an unguessable room stays hidden');

  const attacker = await hostileLink(node.url);
  attacker.share(lobby);
  await attacker.frame((f) => f.t === 'roster' && f.room === lobby, 'the lobby roster');
  const sybil = attacker.owner(createEphemeralIdentity());
  sybil.roster(lobby, phantomPeers(501)); // over the owner budget: refused whole
  const owner = attacker.owner();
  for (let i = 0; i < 2_000; i++)
    attacker.send({
      t: 'message',
      id: randomBytes(16).toString('hex'),
      room: lobby,
      from: alice.peerId, // speaking as a local member
      data: `forged ${i}`,
      hops: 0,
    });
  const good = owner.roster(lobby, phantomPeers(1));
  for (let i = 0; i < 6; i++)
    attacker.send({ ...good, ver: good.ver + 1 + i, members: phantomPeers(3) }); // forged sigs
  assert.equal(await attacker.closedWithin(), 4012, 'banned (forgeries cost reputation)');
  const again = await hostileLink(node.url, { identity: attacker.identity });
  assert.equal(await again.closedWithin(), 4004, 'and refused when it comes back');

  await alice.post('still here');
  await waitFor(() => bob.messages().some((m) => m.data === 'still here'), 'an honest post');
  assert.ok(
    !bob.messages().some((m) => String(m.data).startsWith('forged')),
    'no forged message got through',
  );
  assert.ok(bob.view().size <= 2, `no more than the one allowed phantom (${bob.view().size})`);
  assert.ok(node.alive(), 'the node process is alive');
});
