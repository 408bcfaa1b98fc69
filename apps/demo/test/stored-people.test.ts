import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  MAX_CONTACTS,
  MAX_MISSED_CALLS,
  MAX_REQUEST_TEXT,
  MAX_REQUESTS,
  parseAcceptFrom,
  parseBlocked,
  parseContacts,
  parseKnownPeers,
  parseMissedCalls,
  parseRequests,
  parseTime,
} from '../src/stored-people.js';

const key = (n: number): string => `${String(n).padStart(4, '0')}${'A'.repeat(39)}`;

test('damaged or foreign stored values give empty lists, never an exception', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
      for (const parse of [
        parseContacts,
        parseBlocked,
        parseKnownPeers,
        parseMissedCalls,
        parseRequests,
      ])
        assert.ok(Array.isArray(parse(text)));
    }),
  );
  for (const text of [null, '', '{', 'null', '{"key":1}', '"text"', '[1,"a",null,[]]'])
    assert.deepEqual(parseContacts(text), [], String(text));
});

test('only well-formed entries are kept, one per key (the last), cut to the bound', () => {
  const stored = JSON.stringify([
    { key: key(1), name: ' Alice ', addedAt: 1000, lastSeen: 2000 },
    { key: 'not-a-key', name: 'Mallory', addedAt: 1000 },
    { key: key(2), name: 'Bob', addedAt: -5 },
    { key: key(3), name: 42, addedAt: 1000, lastSeen: 'yesterday' },
    { key: key(1), name: 'Alice L.', addedAt: 3000 },
  ]);
  assert.deepEqual(parseContacts(stored), [
    { key: key(3), name: undefined, addedAt: 1000, lastSeen: undefined },
    { key: key(1), name: 'Alice L.', addedAt: 3000, lastSeen: undefined },
  ]);
  const many = JSON.stringify(
    Array.from({ length: MAX_CONTACTS + 20 }, (_, n) => ({ key: key(n), addedAt: 1 + n })),
  );
  const kept = parseContacts(many);
  assert.equal(kept.length, MAX_CONTACTS);
  assert.equal(kept[0]?.key, key(20), 'the oldest are dropped');
});

test('missed calls: one per caller and call, oldest first, at most 100', () => {
  const calls = Array.from({ length: MAX_MISSED_CALLS + 10 }, (_, n) => ({
    from: key(n % 3),
    name: 'Alice',
    at: 10_000 - n,
    call: `c${n}`,
  }));
  const parsed = parseMissedCalls(JSON.stringify([...calls, calls[0], { from: key(1), at: 5 }]));
  assert.equal(parsed.length, MAX_MISSED_CALLS);
  assert.deepEqual(
    parsed.map((m) => m.at),
    [...parsed.map((m) => m.at)].sort((a, b) => a - b),
  );
  assert.equal(new Set(parsed.map((m) => `${m.from}/${m.call}`)).size, parsed.length);
});

test('settings: a time or nothing, and "contacts" only when it says so', () => {
  assert.equal(parseTime('1700000000000'), 1_700_000_000_000);
  for (const bad of [null, '', 'soon', '-1', '1.5', 'Infinity'])
    assert.equal(parseTime(bad), undefined);
  assert.equal(parseAcceptFrom('contacts'), 'contacts');
  for (const other of [null, 'CONTACTS', 'anyone', '"contacts"'])
    assert.equal(parseAcceptFrom(other), 'anyone');
  assert.deepEqual(parseKnownPeers(JSON.stringify([{ key: key(1), seenAt: 9, room: 7 }])), [
    { key: key(1), name: undefined, room: '', seenAt: 9 },
  ]);
});

test('contacts keep a well-formed private inbox; old ones without it still load', () => {
  const inbox = { key: key(8), seal: key(9) };
  const stored = JSON.stringify([
    { key: key(1), name: 'Old', addedAt: 1000 },
    { key: key(2), name: 'Bob', addedAt: 2000, inbox },
    { key: key(3), name: 'Damaged', addedAt: 3000, inbox: { key: key(8), seal: 'short' } },
    { key: key(4), name: 'Text', addedAt: 4000, inbox: `${key(8)}.${key(9)}` },
  ]);
  assert.deepEqual(parseContacts(stored), [
    { key: key(1), name: 'Old', addedAt: 1000, lastSeen: undefined },
    { key: key(2), name: 'Bob', addedAt: 2000, lastSeen: undefined, inbox },
    { key: key(3), name: 'Damaged', addedAt: 3000, lastSeen: undefined },
    { key: key(4), name: 'Text', addedAt: 4000, lastSeen: undefined },
  ]);
});

test('contact requests: well-formed ones, one per sender (the last), in arrival order, at most 100', () => {
  const stored = JSON.stringify([
    { from: key(1), name: ' Carol ', text: 'hi', at: 50 },
    { from: 'nobody', name: 'Mallory', at: 60 },
    { from: key(2), name: 'Dan', text: 7, at: 0 },
    { from: key(3), name: { html: '<b>' }, text: '   ', at: 40 },
    { from: key(1), name: 'Carol', text: 'x'.repeat(400), at: 30 },
  ]);
  assert.deepEqual(parseRequests(stored), [
    { from: key(3), name: undefined, text: undefined, at: 40 },
    { from: key(1), name: 'Carol', text: 'x'.repeat(MAX_REQUEST_TEXT), at: 30 },
  ]);
  const many = JSON.stringify(
    Array.from({ length: MAX_REQUESTS + 5 }, (_, n) => ({ from: key(n), at: 1 + n })),
  );
  const kept = parseRequests(many);
  assert.equal(kept.length, MAX_REQUESTS);
  assert.equal(kept[0]?.from, key(5), 'the oldest are dropped');
});
