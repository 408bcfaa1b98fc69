import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { cleanName, contactLinkOf, parseContactLink } from '../src/contact-link.js';

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
