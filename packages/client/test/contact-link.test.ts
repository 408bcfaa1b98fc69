import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toBase64url } from '@sigmesh/protocol';
import { contactLink, parseContactLink } from '../src/index.js';

const key = toBase64url(new Uint8Array(32).map((_, i) => i * 7));

test('a contact link round-trips the key and name, from a URL, its hash or a bare key', () => {
  const link = contactLink({ key, name: 'Ada & Bob' }, 'https://node.example/app/#room=x');
  assert.equal(link, `https://node.example/app/#contact=${key}&name=Ada+%26+Bob`);
  assert.deepEqual(parseContactLink(link), { key, name: 'Ada & Bob' });
  assert.deepEqual(parseContactLink(link.slice(link.indexOf('#'))), { key, name: 'Ada & Bob' });
  assert.deepEqual(parseContactLink(`  ${key}\n`), { key, name: '' });
  assert.deepEqual(parseContactLink(contactLink({ key, name: '' }, 'https://n/app/')), {
    key,
    name: '',
  });
  assert.equal(
    parseContactLink(contactLink({ key, name: 'x'.repeat(100) }, 'https://n/'))?.name.length,
    64,
  );
});

test('links without a valid key name nobody', () => {
  for (const text of [
    '',
    'https://n/app/#room=x',
    `#contact=${key.slice(1)}`,
    '#contact=***',
    'x'.repeat(43),
  ])
    assert.equal(parseContactLink(text), undefined, text);
});
