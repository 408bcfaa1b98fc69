import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkSolution,
  decodeChallenge,
  deriveRoomHash,
  encodeChallenge,
  formatPowToken,
  parsePowToken,
  parsePowWwwAuthenticate,
  POW_SIGNED_BYTES,
  utf8,
} from '@sigmesh/protocol';
import { challengeFor, rawRequest, solveToken } from '../helpers/raw-http.js';
import { joinRoom } from '../helpers/room-client.js';
import { startTestNode } from '../helpers/test-node.js';

const room = deriveRoomHash('test-app', 'pow');
const join = (base: string, token: string, localAddress?: string) =>
  rawRequest(`${base}/room/${room}?pow=${encodeURIComponent(token)}`, {
    headers: { accept: 'text/event-stream' },
    ...(localAddress ? { localAddress } : {}),
  });

function assertRefused(
  response: { status: number; headers: Record<string, unknown>; json(): unknown },
  code: string,
): void {
  assert.equal((response.json() as { code: string }).code, code);
  assert.equal(response.status, code === 'POW_MALFORMED' ? 400 : 401);
  const offer = parsePowWwwAuthenticate(response.headers['www-authenticate'] as string);
  assert.ok(offer, 'a refusal offers a fresh challenge in WWW-Authenticate');
}

test('a solved challenge opens a room stream exactly once; the replay is refused', async (t) => {
  const node = await startTestNode(t);
  const { challenge } = await challengeFor(node.url(), 'room-join');
  const token = await solveToken(challenge, utf8(room));
  assert.equal((await join(node.url(), token)).status, 200);
  assertRefused(await join(node.url(), token), 'POW_REPLAYED');
});

test('missing and malformed proofs are refused with their own codes', async (t) => {
  const node = await startTestNode(t);
  assertRefused(
    await rawRequest(`${node.url()}/room/${room}`, { headers: { accept: 'application/json' } }),
    'POW_REQUIRED',
  );
  assertRefused(await join(node.url(), 'not-a-token'), 'POW_MALFORMED');
  assertRefused(
    await rawRequest(`${node.url()}/room/${room}`, { headers: { authorization: 'PoW AAAA.12' } }),
    'POW_MALFORMED',
  );
});

test('a forged challenge (changed difficulty, or another node’s) is refused', async (t) => {
  const node = await startTestNode(t);
  const other = await startTestNode(t);
  const { challenge } = await challengeFor(node.url(), 'room-join');
  const decoded = decodeChallenge(challenge);
  assert.ok(decoded.ok);
  // Lower the difficulty to 1 and keep the old MAC: anything solves it, but the MAC no longer fits.
  const signed = decoded.value.bytes.slice(0, POW_SIGNED_BYTES);
  new DataView(signed.buffer).setUint32(7, 1);
  const cheap = encodeChallenge(signed, decoded.value.mac);
  assertRefused(await join(node.url(), formatPowToken(cheap, 0)), 'POW_FORGED');

  const foreign = await challengeFor(other.url(), 'room-join');
  assertRefused(
    await join(node.url(), await solveToken(foreign.challenge, utf8(room))),
    'POW_FORGED',
  );
});

test('an expired challenge is refused', async (t) => {
  let clock = Date.now();
  const node = await startTestNode(t, { now: () => clock, powTtlSeconds: 60 });
  const { challenge } = await challengeFor(node.url(), 'room-join');
  const token = await solveToken(challenge, utf8(room));
  clock += 61_000;
  assertRefused(await join(node.url(), token), 'POW_EXPIRED');
});

test('a challenge for another route or another client address is refused', async (t) => {
  const node = await startTestNode(t, { host: '127.0.0.1' });
  const forToken = await challengeFor(node.url(), 'token');
  assertRefused(
    await join(node.url(), await solveToken(forToken.challenge, utf8(room))),
    'POW_WRONG_SCOPE',
  );

  const fromOtherAddress = await challengeFor(node.url(), 'room-join', '127.0.0.2');
  const token = await solveToken(fromOtherAddress.challenge, utf8(room));
  assertRefused(await join(node.url(), token, '127.0.0.1'), 'POW_WRONG_SCOPE');
  assert.equal(
    (await join(node.url(), token, '127.0.0.2')).status,
    200,
    'the address it was issued to may use it',
  );
});

/** True when `token` also solves its challenge for {@link room}. */
function solvesForRoom(token: string): boolean {
  const parsed = parsePowToken(token);
  assert.ok(parsed.ok);
  const { challenge, counter } = parsed.value;
  return checkSolution(challenge.bytes, challenge.difficulty, utf8(room), counter);
}

test('a counter that does not solve the challenge for this request is refused', async (t) => {
  const node = await startTestNode(t, { powBaseDifficulty: 4096 });
  const { challenge, difficulty } = await challengeFor(node.url(), 'room-join');
  const decoded = decodeChallenge(challenge);
  assert.ok(decoded.ok);
  let wrong = 0;
  while (checkSolution(decoded.value.bytes, difficulty, utf8(room), wrong)) wrong++;
  assertRefused(await join(node.url(), formatPowToken(challenge, wrong)), 'POW_WRONG_SOLUTION');
  // A true solution for another room is no solution for this one: the room hash is bound in.
  // (Drawn until it does not happen to solve for this room too: one time in the difficulty.)
  let elsewhere = await solveToken(challenge, utf8(deriveRoomHash('test-app', 'elsewhere')));
  for (let tries = 0; tries < 20 && solvesForRoom(elsewhere); tries++) {
    const fresh = await challengeFor(node.url(), 'room-join');
    elsewhere = await solveToken(fresh.challenge, utf8(deriveRoomHash('test-app', 'elsewhere')));
  }
  assertRefused(await join(node.url(), elsewhere), 'POW_WRONG_SOLUTION');
});

test('a challenge priced before the client’s rate rose is refused as underpriced', async (t) => {
  const node = await startTestNode(t, {
    powBaseDifficulty: 16,
    powAddressFreeMessages: 0,
    powAddressMessagesPerDoubling: 1,
  });
  const early = await challengeFor(node.url(), 'room-join');
  // One paid request from this address: the price of its next join doubles (16 → 32), past
  // the default tolerance (25 %).
  const member = await joinRoom(node.url(), room);
  t.after(() => member.close());
  assertRefused(
    await join(node.url(), await solveToken(early.challenge, utf8(room))),
    'POW_UNDERPRICED',
  );
});

test('a challenge within --pow-price-tolerance of the current price is still accepted', async (t) => {
  // Each paid request raises this address's price by 2^(1/4) ≈ 19 %: within the tolerance.
  const options = {
    powBaseDifficulty: 16,
    powAddressFreeMessages: 0,
    powAddressMessagesPerDoubling: 4,
  };
  const lenient = await startTestNode(t, options);
  const early = await challengeFor(lenient.url(), 'room-join');
  const first = await joinRoom(lenient.url(), room);
  t.after(() => first.close());
  const second = await join(lenient.url(), await solveToken(early.challenge, utf8(room)));
  assert.equal(second.status, 200, 'a price that moved 19 % since the quote is honoured');

  const strict = await startTestNode(t, { ...options, powPriceTolerance: 0 });
  const stale = await challengeFor(strict.url(), 'room-join');
  const other = await joinRoom(strict.url(), room);
  t.after(() => other.close());
  assertRefused(
    await join(strict.url(), await solveToken(stale.challenge, utf8(room))),
    'POW_UNDERPRICED',
  );
});

test('nobody can speak as another peer: posts need the session of a live member of that room', async (t) => {
  const node = await startTestNode(t);
  const alice = await joinRoom(node.url(), room);
  const mallory = await joinRoom(node.url(), deriveRoomHash('test-app', 'mallory'));
  t.after(() => [alice, mallory].forEach((m) => m.close()));
  const post = async (body: unknown, headers: Record<string, string>) => {
    const text = JSON.stringify(body);
    const { challenge } = await challengeFor(node.url(), 'room-post');
    return rawRequest(`${node.url()}/room/${room}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: `PoW ${await solveToken(challenge, utf8(text))}`,
        ...headers,
      },
      body: text,
    });
  };
  for (const headers of [
    {},
    { 'sigmesh-session': 'made-up-session-token' },
    { 'sigmesh-session': mallory.welcome.session },
  ]) {
    const response = await post({ data: 'I am alice' }, headers);
    assert.equal(response.status, 403);
    assert.equal((response.json() as { code: string }).code, 'ROOM_SESSION_INVALID');
  }
  // Claiming a sender in the body is not a thing: the node sets `from`.
  const claimed = await post(
    { data: 'hi', from: alice.peerId },
    { 'sigmesh-session': alice.welcome.session },
  );
  assert.equal((claimed.json() as { code: string }).code, 'ROOM_MESSAGE_INVALID');
  assert.equal(alice.messages().length, 0);
});
