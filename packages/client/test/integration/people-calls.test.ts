/**
 * Issue 14: calling a person by key. Each person listens on its inbox (as owner, proven with its
 * key); a caller rings from whatever node it uses, the mesh carries the ring, and an accepted call
 * puts both in a room derived from their signed ephemeral keys. Forged and misdirected rings never
 * ring; strangers are refused when only contacts may call.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { Testnet } from '@sigmesh/node';
import { deriveRoomHash, fromBase64url, inboxRoomHash, toBase64url } from '@sigmesh/protocol';
import {
  contactLink,
  parseContactLink,
  loadOrCreateIdentity,
  memoryIdentityStore,
  type Call,
  type ContactRequest,
  type IncomingRing,
  type MissedCall,
} from '../../src/index.js';
import { callRoom } from '../../src/people/call-secret.js';
import { placeCall } from '../../src/people/outgoing-call.js';
import { forger, testSigner } from '../helpers/test-signer.js';
import { startMeshTestnet } from '../helpers/testnet.js';
import { nextEvent } from '../helpers/werift-client.js';
import { callerContext, nextRing, person, rejection, until } from '../helpers/people.js';

let net: Testnet | undefined;
async function testnet(t: TestContext): Promise<Testnet> {
  net = await startMeshTestnet(t, 3);
  return net;
}

test('Alice on node 1 calls Bob on node 3: Bob accepts and both meet in the call’s room', async (t) => {
  const [n1, , n3] = (await testnet(t)).nodes;
  // Lasting identities: they also sign the hellos in the call's room.
  const bobIdentity = await loadOrCreateIdentity({ store: memoryIdentityStore() });
  const aliceIdentity = await loadOrCreateIdentity({ store: memoryIdentityStore() });
  const bob = await person(t, n3!.url(), { identity: bobIdentity });
  const alice = await person(t, n1!.url(), { name: 'Alice', identity: aliceIdentity });
  assert.deepEqual([alice.nodes, bob.nodes], [[n1!.url()], [n3!.url()]]);

  const ringing = nextRing(bob);
  const calling = alice.call(bob.key, { video: false, audio: true });
  const ring = await ringing;
  assert.deepEqual(
    [ring.from, ring.name, ring.media, ring.state],
    [alice.key, 'Alice', { video: false, audio: true }, 'ringing'],
  );
  const [atBob, atAlice] = await Promise.all([ring.accept(), calling]);
  t.after(() => [atBob, atAlice].forEach((call: Call) => call.hangUp()));
  assert.deepEqual([atAlice.peer, atBob.peer, atAlice.id], [bob.key, alice.key, ring.call]);

  const joined = nextEvent(atBob.room, 'peer-join', 20_000);
  const [, bobSeen] = (await nextEvent(atAlice.room, 'peer-join', 20_000)) as [
    string,
    { fingerprint: string },
  ];
  const [, aliceSeen] = (await joined) as [string, { fingerprint: string }];
  assert.deepEqual(
    [bobSeen.fingerprint, aliceSeen.fingerprint],
    [bobIdentity.fingerprint, aliceIdentity.fingerprint],
    'each sees the other’s lasting identity in the call’s room',
  );
  const got = nextEvent(atBob.room, 'message');
  await atAlice.room.send({ hi: 'bob' });
  assert.deepEqual((await got)[0], { hi: 'bob' });
});

test('declined, busy, refused by a contacts-only callee, and unanswered calls reject; the callee sees a missed call', async (t) => {
  const [n1, n2] = (await testnet(t)).nodes;
  const friend = await testSigner();
  const bob = await person(t, n2!.url(), {
    acceptFrom: 'contacts',
    isContact: (key) => key === friend.publicKey,
    ringMs: 4000,
  });
  const alice = await person(t, n1!.url(), { identity: friend, ringMs: 4000 });
  const stranger = await person(t, n1!.url(), { ringMs: 4000 });
  const rings: IncomingRing[] = [];
  bob.on('ring', (ring) => rings.push(ring));

  const declined = alice.call(bob.key);
  (await nextRing(bob)).decline().catch(() => undefined);
  assert.equal(await rejection(declined), 'CALL_DECLINED');

  const busy = alice.call(bob.key);
  await (await nextRing(bob)).decline('busy');
  assert.equal(await rejection(busy), 'CALL_BUSY');

  assert.equal(await rejection(stranger.call(bob.key)), 'CALL_REFUSED');
  assert.equal(
    rings.some((ring) => ring.from === stranger.key),
    false,
    'a stranger never rang',
  );

  const missed = new Promise<MissedCall>((resolve) => bob.on('missed', resolve));
  const unanswered = alice.call(bob.key);
  await nextRing(bob);
  assert.equal(await rejection(unanswered), 'CALL_UNANSWERED');
  assert.equal((await missed).from, alice.key);

  assert.equal(await rejection(alice.call('not a key')), 'PEER_KEY_INVALID');
});

test('a contact’s ring joins the call’s room while it rings (left on decline); a stranger’s does not', async (t) => {
  const [n1, , n3] = (await testnet(t)).nodes;
  const friend = await testSigner();
  const bob = await person(t, n3!.url(), { isContact: (key) => key === friend.publicKey });
  const alice = await person(t, n1!.url(), { identity: friend, missedNotes: false });
  const stranger = await person(t, n1!.url(), { missedNotes: false });
  const bobsIn = (call: string): number =>
    n1!.remoteMembers(deriveRoomHash('people-test', callRoom(call))).length;

  // Alice is a contact: Bob's device joins the call's room before anyone answers.
  let ringing = nextRing(bob);
  const declined = alice.call(bob.key);
  let ring = await ringing;
  await until(() => bobsIn(ring.call) === 1, 'Bob in the call’s room while it rings');
  await ring.decline();
  assert.equal(await rejection(declined), 'CALL_DECLINED');
  await until(() => bobsIn(ring.call) === 0, 'Bob gone from the declined call’s room');

  // Accepted, the early room is the call's: both meet and talk.
  ringing = nextRing(bob);
  const calling = alice.call(bob.key);
  ring = await ringing;
  await until(() => bobsIn(ring.call) === 1, 'Bob in the call’s room while it rings');
  const [atBob, atAlice] = await Promise.all([ring.accept(), calling]);
  t.after(() => [atBob, atAlice].forEach((call: Call) => call.hangUp()));
  await nextEvent(atAlice.room, 'peer-join', 20_000);
  const got = nextEvent(atBob.room, 'message');
  await atAlice.room.send({ early: true });
  assert.deepEqual((await got)[0], { early: true });

  // A stranger's ring (anyone may call) makes Bob pay nothing until he answers.
  ringing = nextRing(bob);
  const strangers = stranger.call(bob.key);
  ring = await ringing;
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(bobsIn(ring.call), 0, 'no early join for a stranger');
  await ring.decline();
  assert.equal(await rejection(strangers), 'CALL_DECLINED');
  await assert.rejects(
    person(t, n3!.url(), { joinWhileRinging: 'always' as 'never' }),
    /joinWhileRinging/,
  );
});

test('the name and who may call change without reconnecting', async (t) => {
  const [n1, n2] = (await testnet(t)).nodes;
  const bob = await person(t, n2!.url());
  const alice = await person(t, n1!.url(), { name: 'Alice', ringMs: 4000, missedNotes: false });
  alice.name = 'Alicia';
  const ringing = nextRing(bob);
  const first = alice.call(bob.key);
  const ring = await ringing;
  assert.equal(ring.name, 'Alicia');
  await ring.decline();
  assert.equal(await rejection(first), 'CALL_DECLINED');
  bob.acceptFrom = 'contacts';
  assert.equal(await rejection(alice.call(bob.key)), 'CALL_REFUSED');
  assert.throws(() => (bob.acceptFrom = 'friends' as 'contacts'), /acceptFrom/);
});

test('a blocked caller is refused even when anyone may call, and its pings go unanswered', async (t) => {
  const [n1, n2] = (await testnet(t)).nodes;
  const pest = await testSigner();
  const bob = await person(t, n2!.url(), { isBlocked: (key) => key === pest.publicKey });
  const caller = await person(t, n1!.url(), { identity: pest, ringMs: 4000, missedNotes: false });
  const rings: IncomingRing[] = [];
  bob.on('ring', (ring) => rings.push(ring));
  assert.equal(await rejection(caller.call(bob.key)), 'CALL_REFUSED');
  assert.equal(await caller.ping(bob.key, 2000), undefined);
  assert.deepEqual(rings, []);
});

test('a ring forged as Alice, or signed for someone else, never rings', async (t) => {
  const [n1, n2] = (await testnet(t)).nodes;
  const bob = await person(t, n2!.url(), { ringMs: 3000 });
  const carol = await person(t, n2!.url(), { ringMs: 3000 });
  const alice = await testSigner();
  const mallory = await testSigner();
  const rings: IncomingRing[] = [];
  bob.on('ring', (ring) => rings.push(ring));

  // Mallory claims Alice's key but signs with her own.
  const forged = await rejection(
    placeCall(await callerContext(t, n1!.url(), forger(alice, mallory)), bob.key),
  );
  assert.equal(forged, 'CALL_UNANSWERED');
  // A genuine ring from Mallory, signed for Carol, posted into Bob's inbox.
  const misdirected = await callerContext(t, n1!.url(), mallory, { addressee: carol.key });
  assert.equal(await rejection(placeCall(misdirected, bob.key)), 'CALL_UNANSWERED');
  assert.deepEqual(rings, [], 'Bob heard no ring');

  // The same nodes carry a genuine one.
  const ringing = nextRing(bob);
  const genuine = placeCall(await callerContext(t, n1!.url(), mallory), bob.key);
  await (await ringing).decline();
  assert.equal(await rejection(genuine), 'CALL_DECLINED');
});

test('a call while the callee is offline leaves a note; back online, the callee reads it as a missed call', async (t) => {
  const [n1, n2] = (await testnet(t)).nodes;
  const bobKey = await testSigner();
  const alice = await person(t, n1!.url(), { name: 'Alice', ringMs: 2000 });
  const other = await person(t, n1!.url(), { ringMs: 2000 });
  const before = Date.now() - 1;
  assert.equal(await rejection(alice.call(bobKey.publicKey)), 'CALL_UNANSWERED');
  assert.equal(await rejection(alice.call(bobKey.publicKey)), 'CALL_UNANSWERED');

  const bob = await person(t, n2!.url(), { identity: bobKey });
  const missed = await bob.missedCalls([alice.key, other.key], before);
  assert.deepEqual(
    missed.map((call) => [call.from, call.name]),
    [
      [alice.key, 'Alice'],
      [alice.key, 'Alice'],
    ],
  );
  assert.notEqual(missed[0]!.call, missed[1]!.call);
  assert.deepEqual(await bob.missedCalls([alice.key], Date.now()), [], 'nothing newer than since');
  // Alice's note for Bob is not a note for Carol.
  const carol = await person(t, n2!.url());
  assert.deepEqual(await carol.missedCalls([alice.key], before), []);
});

test('ping: where the person listens while it does, undefined for a key nobody listens as', async (t) => {
  const [n1, n2] = (await testnet(t)).nodes;
  const bob = await person(t, n2!.url());
  const alice = await person(t, n1!.url());
  const presence = await alice.ping(bob.key, 15_000);
  assert.deepEqual(presence?.nodes, [n2!.url()]);
  assert.ok(presence.rttMs >= 0);
  const nobody = await testSigner();
  assert.equal(await alice.ping(nobody.publicKey, 2000), undefined);
});

test('contact requests reach a contacts-only person, who does not answer the stranger’s pings; a call-only client has no inbox', async (t) => {
  const [n1, n2] = (await testnet(t)).nodes;
  const bob = await person(t, n2!.url(), { acceptFrom: 'contacts', isContact: () => false });
  const carol = await person(t, n1!.url(), { name: 'Carol', listen: false });
  assert.deepEqual(carol.nodes, [], 'not listening');
  const requests: ContactRequest[] = [];
  bob.on('request', (request) => requests.push(request));
  assert.equal(await carol.requestContact(bob.key, { text: 'we met at the meetup' }), true);
  assert.deepEqual(
    requests.map((r) => [r.from, r.name, r.text]),
    [[carol.key, 'Carol', 'we met at the meetup']],
  );
  assert.equal(await carol.ping(bob.key, 2000), undefined, 'a stranger learns nothing by pinging');
  assert.equal(await bob.ping(carol.key, 2000), undefined, 'nobody listens as a call-only client');
});

test('a private inbox: contacts ring through it sealed, the nodes see neither Bob’s inbox nor Alice’s key', async (t) => {
  const [n1, n2] = (await testnet(t)).nodes;
  const bobKey = await testSigner();
  const bobPrivate = await testSigner();
  const bob = await person(t, n2!.url(), { identity: bobKey, privateInbox: bobPrivate });
  const alice = await person(t, n1!.url(), { name: 'Alice', ringMs: 3000 });
  const card = await bob.card();
  assert.equal(card.inbox?.key, bobPrivate.publicKey);
  assert.deepEqual(
    parseContactLink(contactLink(card, 'https://n/app/')),
    card,
    'the link keeps it',
  );

  const requests = recordRequests(t);
  const ringing = nextRing(bob);
  const calling = alice.call(card, { video: false });
  const ring = await ringing;
  assert.equal(ring.from, alice.key, 'Bob still sees who calls, proven');
  await ring.decline();
  assert.equal(await rejection(calling), 'CALL_DECLINED');
  const publicInbox = inboxRoomHash(fromBase64url(bob.key)!);
  const privateInbox = inboxRoomHash(fromBase64url(bobPrivate.publicKey)!);
  const aliceSent = requests.filter((r) => r.url.includes(privateInbox));
  assert.ok(aliceSent.length > 0, 'Alice rang at the private inbox');
  for (const request of requests) {
    assert.equal(request.url.includes(publicInbox), false, 'nobody asked for Bob’s public inbox');
    assert.equal(request.text.includes(alice.key), false, 'Alice’s key never went out in clear');
    assert.equal(request.text.includes(bob.key), false, 'nor Bob’s');
  }

  // A card with the wrong seal reaches the inbox, but Bob opens nothing: no ring.
  const rings: IncomingRing[] = [];
  bob.on('ring', (r) => rings.push(r));
  const forged = {
    ...card,
    inbox: { key: card.inbox.key, seal: toBase64url(new Uint8Array(32)) },
  };
  assert.equal(await rejection(alice.call(forged)), 'CALL_UNANSWERED');
  assert.deepEqual(rings, []);

  // Unanswered through the private inbox: the note is found under the private address (and the
  // forged card's, salted for a seal that is not Bob's, is not).
  const unanswered = alice.call(card);
  await nextRing(bob);
  assert.equal(await rejection(unanswered), 'CALL_UNANSWERED');
  assert.deepEqual(
    (await bob.missedCalls([alice.key], 0)).map((m) => m.from),
    [alice.key],
    'one note, found through the private address',
  );
});

/** Every request this process makes through fetch while the test runs: URL and body text. */
function recordRequests(t: TestContext): Array<{ url: string; text: string }> {
  const seen: Array<{ url: string; text: string }> = [];
  const original = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    seen.push({
      url: decodeURIComponent(url),
      text: typeof init?.body === 'string' ? init.body : '',
    });
    return original(input, init);
  };
  t.after(() => (globalThis.fetch = original));
  return seen;
}
