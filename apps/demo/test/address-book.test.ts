import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AddressBook, type KeyValueStore } from '../src/address-book.js';

const ALICE = `alice${'A'.repeat(38)}`;
const BOB = `bob${'B'.repeat(40)}`;
const CAROL = `carol${'C'.repeat(38)}`;
const INBOX = { key: `inbox${'I'.repeat(38)}`, seal: `seal${'S'.repeat(39)}` };

function memoryStore(initial: Record<string, string> = {}): KeyValueStore & {
  data: Map<string, string>;
} {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
  };
}

test('what the book keeps is there again on the next visit', () => {
  const store = memoryStore();
  const book = new AddressBook(store);
  assert.equal(book.startVisit(1000), undefined, 'a first visit');
  book.addContact(ALICE, 'Alice', 10);
  book.meet(BOB, 'Bob', 'lobby', 20);
  book.addMissed([{ from: ALICE, name: 'Alice', at: 30, call: 'c1' }]);
  book.setAcceptFrom('contacts');

  const again = new AddressBook(store);
  assert.equal(again.startVisit(2000), 1000);
  assert.deepEqual(again.contacts(), [
    { key: ALICE, name: 'Alice', addedAt: 10, lastSeen: undefined },
  ]);
  assert.deepEqual(again.knownPeers(), [{ key: BOB, name: 'Bob', room: 'lobby', seenAt: 20 }]);
  assert.equal(again.missedCalls().length, 1);
  assert.equal(again.acceptFrom, 'contacts');
});

test('blocking removes the contact; adding again unblocks; a missed call is kept once', () => {
  const book = new AddressBook(memoryStore());
  book.addContact(ALICE, 'Alice');
  book.block(ALICE, undefined);
  assert.equal(book.isContact(ALICE), false);
  assert.deepEqual(book.blocked(), [{ key: ALICE, name: 'Alice' }]);
  book.addContact(ALICE, undefined);
  assert.equal(book.isBlocked(ALICE), false);
  const missed = { from: ALICE, name: 'Alice', at: 5, call: 'c1' };
  assert.equal(book.addMissed([missed]), true);
  assert.equal(book.addMissed([missed]), false, 'the same call from the event and the note');
  assert.equal(book.missedCalls().length, 1);
  book.meet(ALICE, 'Alice', 'lobby');
  assert.deepEqual(book.knownPeers(), [], 'contacts are not listed as known peers');
});

test('bad stored JSON and a store that refuses writes do not break the book', () => {
  const store = memoryStore({
    'sigmesh-demo:contacts': '{not json',
    'sigmesh-demo:missed-calls': '[{"from":1}]',
    'sigmesh-demo:last-visit': 'yesterday',
  });
  store.setItem = () => {
    throw new Error('QuotaExceededError');
  };
  const book = new AddressBook(store);
  assert.deepEqual(book.contacts(), []);
  assert.deepEqual(book.missedCalls(), []);
  const warn = console.warn;
  console.warn = () => undefined; // each refused write is reported there
  try {
    assert.equal(book.startVisit(), undefined);
    book.addContact(BOB, 'Bob');
  } finally {
    console.warn = warn;
  }
  assert.equal(book.isContact(BOB), true, 'kept for this visit');
});

test('a contact added by a link with a private inbox is reached by its card, after a reload too', () => {
  const store = memoryStore();
  const book = new AddressBook(store);
  book.addContact(BOB, 'Bob', 10, INBOX);
  book.addContact(ALICE, 'Alice', 20);
  assert.deepEqual(book.reach(BOB), { key: BOB, name: '', inbox: INBOX });
  assert.equal(book.reach(ALICE), ALICE, 'without an inbox: the key');
  assert.equal(book.reach(CAROL), CAROL, 'not a contact: the key');
  book.addContact(BOB, 'Bobby', 30);
  assert.deepEqual(book.contact(BOB)?.inbox, INBOX, 'adding again by a bare key keeps the inbox');
  const again = new AddressBook(store);
  assert.deepEqual(again.reach(BOB), { key: BOB, name: '', inbox: INBOX });
  assert.equal(again.contact(BOB)?.name, 'Bobby');
});

test('contact requests stay until accepted or ignored, across reloads; blocking drops them', () => {
  const store = memoryStore();
  const book = new AddressBook(store);
  book.addRequest({ from: CAROL, name: 'Carol', text: 'hi', at: 5 });
  book.addRequest({ from: ALICE, name: 'Alice', text: undefined, at: 6 });
  book.addRequest({ from: CAROL, name: 'Carol', text: 'hi again', at: 7 });
  const again = new AddressBook(store);
  assert.deepEqual(again.requests(), [
    { from: ALICE, name: 'Alice', text: undefined, at: 6 },
    { from: CAROL, name: 'Carol', text: 'hi again', at: 7 },
  ]);
  again.block(CAROL, undefined);
  assert.equal(again.blocked()[0]?.name, 'Carol', 'named after the request');
  again.addRequest({ from: CAROL, name: 'Carol', text: 'let me in', at: 8 });
  again.removeRequest(ALICE);
  assert.deepEqual(again.requests(), []);
  assert.deepEqual(new AddressBook(store).requests(), []);
});
