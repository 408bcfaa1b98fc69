/**
 * Issue 13 part 4: a join may carry its member's first message (`GET /room/HASH?hello=`), and a
 * join's member id is derived from its PoW token, so the client can sign that hello before the
 * welcome (docs/protocol.md § Joining with a hello).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveRoomHash, joinMemberId } from '@sigmesh/protocol';
import { joinWithHello } from '../../helpers/hello-join.js';
import { joinRoom } from '../../helpers/room-client.js';
import { rawRequest } from '../../helpers/raw-http.js';
import { startTestNode } from '../../helpers/test-node.js';
import { startTestnet } from '../../helpers/test-testnet.js';
import { waitFor } from '../../helpers/wait-for.js';

const room = deriveRoomHash('test-app', 'join-hello');

test('a member id is derived from the join’s PoW token, and the node advertises the feature', async (t) => {
  const node = await startTestNode(t);
  const joined = await joinWithHello(node.url(), room, undefined);
  t.after(() => joined.close());
  assert.equal(joined.welcome?.peerId, joinMemberId(joined.token));
  assert.equal(joined.welcome?.hello, undefined, 'no hello, no hello id');
  const info = (await rawRequest(`${node.url()}/`, {
    headers: { accept: 'application/json' },
  }).then((r) => r.json())) as { features?: string[] };
  assert.deepEqual(info.features, ['plain-post', 'join-hello', 'room-bound-posts']);
});

test('the hello in a join reaches the room as the new member’s message, and its id is in the welcome', async (t) => {
  const node = await startTestNode(t);
  const alice = await joinRoom(node.url(), room);
  t.after(() => alice.close());
  const bob = await joinWithHello(node.url(), room, JSON.stringify({ data: { hi: 'é' } }));
  t.after(() => bob.close());
  assert.equal(bob.status, 200);
  const atAlice = JSON.parse((await alice.next('message')).data) as Record<string, unknown>;
  assert.deepEqual(atAlice, {
    id: bob.welcome?.hello,
    from: bob.welcome?.peerId,
    data: { hi: 'é' },
  });
  assert.equal(bob.welcome?.peerId, joinMemberId(bob.token));
  const { welcome } = bob;
  assert.ok(welcome);
  assert.ok(alice.joins().includes(welcome.peerId), 'the join was announced before it');
});

test('the hello in a join crosses the mesh to members on other nodes', async (t) => {
  const net = await startTestnet(t, { nodes: 2 });
  const [n1, n2] = net.nodes;
  const alice = await joinRoom(n1!.url(), room);
  t.after(() => alice.close());
  // Let the nodes link over the room first, as a second member on an open room finds them.
  const early = await joinRoom(n2!.url(), room);
  t.after(() => early.close());
  await waitFor(() => alice.joins().includes(early.peerId), 'the nodes to link');
  const bob = await joinWithHello(n2!.url(), room, '{"data":"across"}');
  t.after(() => bob.close());
  const atAlice = JSON.parse((await alice.next('message')).data) as Record<string, unknown>;
  assert.equal(atAlice.from, bob.welcome?.peerId);
  assert.equal(atAlice.data, 'across');
});

test('a join whose hello is not a post body for the room is refused before anyone joins', async (t) => {
  const node = await startTestNode(t, { maxMessageBytes: 64 });
  const alice = await joinRoom(node.url(), room);
  t.after(() => alice.close());
  const cases: Array<[string | undefined, string | undefined, string]> = [
    ['not json', undefined, 'BAD_JSON'],
    ['{"nodata":1}', undefined, 'ROOM_MESSAGE_INVALID'],
    [JSON.stringify({ data: 1, to: alice.peerId }), undefined, 'ROOM_MESSAGE_INVALID'],
    [JSON.stringify({ data: 'x'.repeat(64) }), undefined, 'BODY_TOO_LARGE'],
    [undefined, '&hello=%FF', 'BAD_UTF8'],
    [undefined, '&hello=a&hello=b', 'BAD_REQUEST'],
  ];
  for (const [hello, raw, code] of cases) {
    const refused = await joinWithHello(node.url(), room, hello, raw);
    refused.close();
    assert.equal(refused.status >= 400, true, `${hello ?? raw}`);
    assert.equal((JSON.parse(refused.body) as { code: string }).code, code, `${hello ?? raw}`);
  }
  // A marker: alice saw no join and no message from any of them.
  const carol = await joinRoom(node.url(), room);
  t.after(() => carol.close());
  await waitFor(() => alice.joins().includes(carol.peerId), 'carol’s join');
  assert.deepEqual(alice.joins(), [carol.peerId]);
  assert.deepEqual(alice.messages(), []);
});
