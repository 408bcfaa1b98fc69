import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inboxMessageTranscript, parseInboxMessage, type InboxMessage } from '../src/index.js';

const key = 'A'.repeat(43);
const sig = 'B'.repeat(86);
const eph = 'C'.repeat(87);
const call = 'ab'.repeat(16);
const good: InboxMessage[] = [
  { v: 1, kind: 'ring', from: key, at: 1, sig, call, eph, media: { video: true, audio: false } },
  {
    v: 1,
    kind: 'ring',
    from: key,
    at: 1,
    sig,
    call,
    eph,
    media: { video: false, audio: true },
    name: 'Alice',
  },
  { v: 1, kind: 'accept', from: key, at: 2, sig, call, eph },
  { v: 1, kind: 'decline', from: key, at: 3, sig, call },
  { v: 1, kind: 'busy', from: key, at: 3, sig, call },
  { v: 1, kind: 'refused', from: key, at: 3, sig, call },
  { v: 1, kind: 'cancel', from: key, at: 3, sig, call },
  { v: 1, kind: 'ping', from: key, at: 4, sig, nonce: call },
  { v: 1, kind: 'pong', from: key, at: 4, sig, nonce: call },
  { v: 1, kind: 'pong', from: key, at: 4, sig, nonce: call, nodes: ['https://a.example'] },
  { v: 1, kind: 'request', from: key, at: 5, sig, nonce: call },
  { v: 1, kind: 'request', from: key, at: 5, sig, nonce: call, name: 'Carol', text: 'hi' },
];

test('every inbox message kind parses to itself', () => {
  for (const message of good)
    assert.deepEqual(parseInboxMessage(message), { ok: true, value: message });
});

test('malformed inbox messages are refused', () => {
  const ring = good[0]!;
  const bad: unknown[] = [
    null,
    { ...ring, v: 2 },
    { ...ring, kind: 'hug' },
    { ...ring, from: key.slice(1) },
    { ...ring, sig: `${sig}A` },
    { ...ring, at: -1 },
    { ...ring, at: 1.5 },
    { ...ring, call: 'AB'.repeat(16) },
    { ...ring, eph: eph.slice(1) },
    { ...ring, media: { video: 'yes', audio: true } },
    { ...ring, name: 'x'.repeat(65) },
    { ...good[7]!, nonce: 'z' },
    { ...good[9]!, nodes: ['ftp://x'] },
    { ...good[9]!, nodes: Array.from({ length: 9 }, () => 'https://a') },
    { ...good[11]!, text: 'x'.repeat(281) },
    { ...good[11]!, name: 7 },
    { ...ring, from: `${key.slice(1)}*` },
  ];
  for (const value of bad) assert.equal(parseInboxMessage(value).ok, false, JSON.stringify(value));
});

test('the transcript names the addressee and every signed field', () => {
  const unsigned = {
    v: 1 as const,
    kind: 'ring' as const,
    from: key,
    at: 1,
    call,
    eph,
    media: { video: false, audio: true },
    name: 'Alice',
  };
  const base = inboxMessageTranscript(unsigned, 'bob');
  assert.ok(base.startsWith('sigmesh-inbox-message:v1\n'));
  assert.notEqual(base, inboxMessageTranscript(unsigned, 'carol'), 'addressee');
  const changed = [
    { ...unsigned, at: 2 },
    { ...unsigned, call: 'cd'.repeat(16) },
    { ...unsigned, eph: 'D'.repeat(87) },
    { ...unsigned, media: { video: true, audio: true } },
    { ...unsigned, name: 'Mallory' },
    { ...unsigned, from: 'E'.repeat(43) },
  ];
  for (const message of changed)
    assert.notEqual(inboxMessageTranscript(message, 'bob'), base, JSON.stringify(message));
  const request = { v: 1 as const, kind: 'request' as const, from: key, at: 1, nonce: call };
  const pong = { v: 1 as const, kind: 'pong' as const, from: key, at: 1, nonce: call };
  assert.notEqual(
    inboxMessageTranscript({ ...request, text: 'a' }, 'bob'),
    inboxMessageTranscript({ ...request, text: 'b' }, 'bob'),
  );
  assert.notEqual(
    inboxMessageTranscript({ ...pong, nodes: ['https://a'] }, 'bob'),
    inboxMessageTranscript(pong, 'bob'),
  );
});
