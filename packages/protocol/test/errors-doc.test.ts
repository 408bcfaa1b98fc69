import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { errorCatalog } from '../src/error-catalog.js';

test('docs/errors.md lists exactly the codes in the catalog, each with its status', () => {
  const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
  const documented = new Map<string, string>();
  for (const match of doc.matchAll(/^### ([A-Z][A-Z0-9_]+)\n+([^\n]*)/gm))
    documented.set(match[1]!, match[2]!);
  const catalog = Object.keys(errorCatalog);
  assert.deepEqual(
    [...documented.keys()].filter((code) => !catalog.includes(code)),
    [],
    'documented codes that no longer exist',
  );
  assert.deepEqual(
    catalog.filter((code) => !documented.has(code)),
    [],
    'codes missing from docs/errors.md',
  );
  for (const [code, spec] of Object.entries(errorCatalog)) {
    assert.match(
      documented.get(code) ?? '',
      new RegExp(`\\b${spec.status}\\b`),
      `${code}: the doc line after the heading names status ${spec.status}`,
    );
  }
});
