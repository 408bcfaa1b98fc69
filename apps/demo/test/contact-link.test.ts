import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  cleanName,
  contactLinkOf,
  parseContactLink,
  parseInboxAddress,
} from '../src/contact-link.js';

const KEY = 'dGhpcyBpcyBhIDMyIGJ5dGUga2V5IGZvciB0ZXN0aW4';
const BASE = 'http://127.0.0.1:8080/app/';
const keys = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((bytes) => Buffer.from(bytes).toString('base64url'));

test('a contact link reads back as the key and the (cleaned) name it was made from', () => {
  fc.assert(
    fc.property(keys, fc.option(fc.string({ maxLength: 60 }), { nil: undefined }), (key, name) => {
      const link = contactLinkOf({ key, name }, BASE);
      assert.ok(link.startsWith(`${BASE}#contact=`));
      assert.deepEqual(parseContactLink(link), { key, name: cleanName(name) });
    }),
  );
});

test('a link, its hash or a bare key are read; anything else is not a contact', () => {
  const link = contactLinkOf({ key: KEY, name: 'Alice Liddell' }, `${BASE}#room=old`);
  assert.equal(link, `${BASE}#contact=${KEY}&name=Alice+Liddell`, 'the old hash is replaced');
  assert.deepEqual(parseContactLink(link), { key: KEY, name: 'Alice Liddell' });
  assert.deepEqual(parseContactLink(`  #contact=${KEY}&name=Bob  `), { key: KEY, name: 'Bob' });
  assert.deepEqual(parseContactLink(`contact=${KEY}`), { key: KEY, name: undefined });
  assert.deepEqual(parseContactLink(` ${KEY}\n`), { key: KEY, name: undefined });
  assert.deepEqual(parseContactLink(`#contact=${KEY}&name=${'x'.repeat(80)}`), {
    key: KEY,
    name: 'x'.repeat(40),
  });
  for (const bad of ['', 'hello', `#contact=${KEY.slice(1)}`, `#room=x`, `#contact=${KEY}!`])
    assert.equal(parseContactLink(bad), undefined, bad);
});

test('a link with a private inbox reads back with it; a malformed inbox is left out', () => {
  fc.assert(
    fc.property(keys, keys, keys, (key, inboxKey, seal) => {
      const inbox = { key: inboxKey, seal };
      const link = contactLinkOf({ key, name: 'Bob', inbox }, BASE);
      assert.ok(link.endsWith(`&inbox=${inboxKey}.${seal}`));
      assert.deepEqual(parseContactLink(link), { key, name: 'Bob', inbox });
    }),
  );
  for (const bad of [KEY, `${KEY}.`, `${KEY}.${KEY}.${KEY}`, `${KEY}.${KEY.slice(2)}`, 'x.y'])
    assert.deepEqual(parseContactLink(`#contact=${KEY}&inbox=${bad}`), {
      key: KEY,
      name: undefined,
    });
});

test('a stored private inbox is two 43-character base64url values, or nothing', () => {
  assert.deepEqual(parseInboxAddress({ key: KEY, seal: KEY, extra: 1 }), { key: KEY, seal: KEY });
  for (const bad of [
    undefined,
    null,
    `${KEY}.${KEY}`,
    [KEY, KEY],
    { key: KEY },
    { key: KEY, seal: 42 },
    { key: KEY, seal: `${KEY}=` },
    { key: `${KEY.slice(1)}!`, seal: KEY },
  ])
    assert.equal(parseInboxAddress(bad), undefined, JSON.stringify(bad));
});
