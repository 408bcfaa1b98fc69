import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatInboxOwnerProof,
  inboxOwnerTranscript,
  inboxRoomHash,
  INBOX_HASH_PREFIX,
  isInboxHash,
  isRoomHash,
  deriveRoomHash,
  encodeChallenge,
  encodeChallengeFields,
  POW_VERSION,
  parseInboxOwnerProof,
  parseWelcomeEvent,
  toBase64url,
} from '../src/index.js';

test('an inbox hash is a room hash with the inbox prefix, one per key', () => {
  const a = inboxRoomHash(new Uint8Array(32).fill(1));
  const b = inboxRoomHash(new Uint8Array(32).fill(2));
  assert.ok(isRoomHash(a) && isRoomHash(b));
  assert.ok(a.startsWith(INBOX_HASH_PREFIX) && isInboxHash(a));
  assert.notEqual(a, b);
  assert.equal(a, inboxRoomHash(new Uint8Array(32).fill(1)), 'deterministic');
  assert.equal(Buffer.from(INBOX_HASH_PREFIX, 'hex').toString(), 'sm-inbox');
  assert.throws(() => inboxRoomHash(new Uint8Array(31)), TypeError);
  for (let i = 0; i < 1000; i++)
    assert.equal(isInboxHash(deriveRoomHash('app', `room ${i}`)), false, 'rooms are not inboxes');
});

test('an owner proof parses only in its exact shape (one spelling per proof: no leading zeros)', () => {
  const key = toBase64url(new Uint8Array(32).fill(7));
  const sig = toBase64url(new Uint8Array(64).fill(9));
  const text = formatInboxOwnerProof({ key, signedAt: 1_700_000_000_000, sig });
  assert.deepEqual(parseInboxOwnerProof(text), {
    ok: true,
    value: { key, signedAt: 1_700_000_000_000, sig },
  });
  const bad = [
    undefined,
    ['a'],
    '',
    `${key}.1`,
    `${key}.1.${sig}.x`,
    `${key}.-1.${sig}`,
    `${key}.1e3.${sig}`,
    `${key}.01.${sig}`,
    `${key}.${'1'.repeat(17)}.${sig}`,
    `${key.slice(1)}.1.${sig}`,
    `${key}.1.${sig.slice(2)}`,
    `${key.slice(0, -1)}*.1.${sig}`,
  ];
  for (const value of bad) {
    const result = parseInboxOwnerProof(value);
    assert.equal(result.ok, false, JSON.stringify(value));
    if (!result.ok) assert.equal(result.code, 'INBOX_OWNER_INVALID');
  }
});

test('the owner transcript binds the inbox, node, time and token', () => {
  const room = inboxRoomHash(new Uint8Array(32));
  assert.equal(
    inboxOwnerTranscript(room, 'node', 5, 'tok'),
    `sigmesh-inbox-owner:v1\n${room}\nnode\n5\ntok`,
  );
  assert.equal(inboxOwnerTranscript(room, 'node', 5, undefined).endsWith('\n5\n'), true);
});

test('a welcome carries a role only as owner or guest', () => {
  const base = {
    peerId: 'a'.repeat(32),
    session: 's',
    room: inboxRoomHash(new Uint8Array(32)),
    nodeId: 'n',
    members: [],
    heartbeatMs: 1000,
    pow: {
      challenge: encodeChallenge(
        encodeChallengeFields({
          version: POW_VERSION,
          issuedAt: 1,
          ttl: 60,
          difficulty: 16,
          scopeTag: new Uint8Array(8),
          nonce: new Uint8Array(8),
        }),
        new Uint8Array(16),
      ),
      difficulty: 16,
      scope: 'room-post',
    },
  };
  const role = (value: unknown): unknown => {
    const result = parseWelcomeEvent({ ...base, role: value });
    return result.ok ? (result.value.role ?? 'none') : 'refused';
  };
  assert.deepEqual(
    [role('owner'), role('guest'), role(undefined), role('admin'), role(1)],
    ['owner', 'guest', 'none', 'refused', 'refused'],
  );
});
