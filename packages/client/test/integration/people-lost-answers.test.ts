/**
 * A callee's answer can be lost on the way (a node restarted, the caller's guest session moved)
 * while the caller goes on ringing every second. A ring heard again well after the answer went out
 * gets the same signed answer again, to the member that rang this time; rings that crossed the
 * answer in flight get nothing more. Before, a repeated ring was dropped and such a call rang out
 * unanswered although the callee had accepted it. The same for a contact request's pong.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { InboxMessage } from '@sigmesh/protocol';
import type { People } from '../../src/index.js';
import { CallKeyPair, newCallId } from '../../src/people/call-secret.js';
import { helloCarried } from '../../src/people/inbox-channel.js';
import { signInboxMessage, type InboxSigner } from '../../src/people/inbox-signing.js';
import { openGuestChannel } from '../../src/people/people-context.js';
import { callerContext, nextRing, person, until } from '../helpers/people.js';
import { testSigner } from '../helpers/test-signer.js';
import { startMeshTestnet } from '../helpers/testnet.js';

test('a ring heard again after its answer was lost gets the same answer (accept, refusal); rings crossing it get none', async (t) => {
  const [n1, n2] = (await startMeshTestnet(t, 2)).nodes;
  const friend = await testSigner();
  const bob = await contactsOnly(t, n2!.url(), friend.publicKey);

  // A contact rings from the other node; Bob accepts once.
  const ringing = nextRing(bob);
  const caller = await ringFrom(t, n1!.url(), friend, bob.key);
  await (await ringing).accept();
  await until(() => caller.heard.length === 1, 'the accept');
  // A ring that crossed the accept in flight: nothing more.
  await caller.ringAgain();
  await sleep(2200);
  assert.equal(caller.heard.length, 1, 'a ring crossing the answer gets none');
  // The accept was "lost": the caller is still ringing, and hears the same signed accept again.
  await caller.ringAgain();
  await until(() => caller.heard.length === 2, 'the accept again');
  assert.equal(caller.heard[0]!.kind, 'accept');
  assert.deepEqual(caller.heard[1], caller.heard[0], 'the same signed answer');

  // A stranger's ring is refused; rung again later, refused again.
  const stranger = await ringFrom(t, n1!.url(), await testSigner(), bob.key);
  await until(() => stranger.heard.length === 1, 'the refusal');
  await sleep(2200);
  await stranger.ringAgain();
  await until(() => stranger.heard.length === 2, 'the refusal again');
  assert.deepEqual(
    stranger.heard.map((message) => message.kind),
    ['refused', 'refused'],
  );
});

/** What {@link ringFrom} gives: what came back, and ways to ring once more or leave. */
interface Ringing {
  readonly ring: InboxMessage;
  readonly heard: InboxMessage[];
  ringAgain(): Promise<void>;
  close(): void;
}

/**
 * A caller's ring to `callee` from `node` (a new one, or `ring` again from a new guest session),
 * with what came back and ways to ring once more or leave.
 */
async function ringFrom(
  t: TestContext,
  node: string,
  identity: InboxSigner,
  callee: string,
  again?: InboxMessage,
): Promise<Ringing> {
  const ring = again ?? (await newRing(identity, callee));
  const call = (ring as { call: string }).call;
  const heard: InboxMessage[] = [];
  const context = await callerContext(t, node, identity, { ringMs: 30_000 });
  const channel = await openGuestChannel(context, callee, ring, ({ message }) => {
    if ('call' in message && message.call === call) heard.push(message);
  });
  t.after(() => channel.close());
  const ringAgain = (): Promise<void> => channel.post(ring);
  if (!helloCarried(channel)) await ringAgain();
  return { ring, heard, ringAgain, close: () => channel.close() };
}

async function newRing(identity: InboxSigner, callee: string): Promise<InboxMessage> {
  const keys = await CallKeyPair.create();
  const call = newCallId();
  return signInboxMessage(
    identity,
    {
      v: 1,
      kind: 'ring',
      from: identity.publicKey,
      at: Date.now(),
      call,
      eph: keys.publicKey,
      media: { video: false, audio: true },
    },
    callee,
  );
}

/** Bob on `node`, taking calls from `friend` only, joining a call's room only on accept. */
function contactsOnly(t: TestContext, node: string, friend: string): Promise<People> {
  return person(t, node, {
    acceptFrom: 'contacts',
    isContact: (key) => key === friend,
    joinWhileRinging: 'never',
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

test('a contact request asked again after its pong was lost is acknowledged again, and heard once', async (t) => {
  const [n1, n2] = (await startMeshTestnet(t, 2)).nodes;
  const bob = await person(t, n2!.url());
  const requests: string[] = [];
  bob.on('request', (request) => requests.push(request.from));
  const alice = await testSigner();
  const request = await signInboxMessage(
    alice,
    { v: 1, kind: 'request', from: alice.publicKey, at: Date.now(), nonce: 'ab'.repeat(16) },
    bob.key,
  );
  const pongs: InboxMessage[] = [];
  const context = await callerContext(t, n1!.url(), alice);
  const channel = await openGuestChannel(context, bob.key, request, ({ message }) => {
    if (message.kind === 'pong') pongs.push(message);
  });
  t.after(() => channel.close());
  if (!helloCarried(channel)) await channel.post(request);
  await until(() => pongs.length === 1, 'the pong');
  // The pong was "lost": asked again, the request is acknowledged again but not heard twice.
  await channel.post(request);
  await until(() => pongs.length === 2, 'the pong again');
  assert.deepEqual(requests, [alice.publicKey]);
});

test('an accept whose post fails (the caller’s guest left) still resolves, and the ring heard again from a new session gets it', async (t) => {
  const [, n2] = (await startMeshTestnet(t, 2)).nodes;
  const friend = await testSigner();
  const bob = await contactsOnly(t, n2!.url(), friend.publicKey);
  const ringing = nextRing(bob);
  const first = await ringFrom(t, n2!.url(), friend, bob.key);
  const ring = await ringing;
  // The caller's guest session goes before the answer: its post is refused (ROOM_PEER_NOT_FOUND).
  first.close();
  await sleep(300);
  const call = await ring.accept();
  assert.equal(call.peer, friend.publicKey, 'accepted although the answer did not get through');
  // The caller rings again from a new guest session: the same signed accept reaches it.
  await sleep(2200);
  const again = await ringFrom(t, n2!.url(), friend, bob.key, first.ring);
  await until(() => again.heard.length === 1, 'the accept through the new session');
  assert.equal(again.heard[0]!.kind, 'accept');
});
