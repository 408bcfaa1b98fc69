import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';
import { nodeDefaults, type NodeConfig } from '../../src/config/node-options.js';
import { nodeOptionTable } from '../../src/config/node-option-table.js';

const row = /^\| `([A-Za-z]+)` \(`--([a-z0-9-]+)`\) \| ([^|]+) \|/;

test('docs/limits.md states each option with its flag and, where it gives a number, the default', () => {
  const doc = readFileSync(new URL('../../../../docs/limits.md', import.meta.url), 'utf8');
  const rows = doc.split('\n').flatMap((line) => {
    const match = row.exec(line);
    return match === null ? [] : [{ name: match[1]!, flag: match[2]!, stated: match[3]!.trim() }];
  });
  assert.ok(rows.length > 50, `only ${rows.length} option rows found`);
  const table = nodeOptionTable as Record<string, { flag: string }>;
  const wrong: string[] = [];
  for (const { name, flag, stated } of rows) {
    const spec = table[name];
    if (spec === undefined) {
      wrong.push(`${name}: no such option`);
      continue;
    }
    if (spec.flag !== flag) wrong.push(`${name}: flag --${spec.flag}, docs say --${flag}`);
    if (!/^-?[\d.]+$/.test(stated)) continue; // "derived (…)", "—", words: said in prose
    const actual = nodeDefaults[name as keyof NodeConfig];
    if (actual !== Number(stated))
      wrong.push(`${name}: default ${String(actual)}, docs say ${stated}`);
  }
  assert.deepEqual(wrong, []);
});
