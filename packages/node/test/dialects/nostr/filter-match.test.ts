import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Event } from 'nostr-tools/core';
import { parseNostrFilter, type NostrEvent } from '@sigmesh/protocol';
import {
  compileFilter,
  filterTopics,
  matchesFilter,
} from '../../../src/dialects/nostr/filter-match.js';
import { nostrFilter } from '../../helpers/nostr-tools.js';

const small = <T>(values: T[]): fc.Arbitrary<T> => fc.constantFrom(...values);
const ids = ['a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64)];
const topics = ['t1', 't2', 't3'];

const event: fc.Arbitrary<Event> = fc.record({
  id: small(ids),
  pubkey: small(ids),
  created_at: fc.integer({ min: 100, max: 110 }),
  kind: fc.integer({ min: 20_000, max: 20_003 }),
  tags: fc.array(
    fc.tuple(small(['x', 'p', 'e']), small(topics)).map(([k, v]) => [k, v]),
    {
      maxLength: 3,
    },
  ),
  content: fc.string(),
  sig: fc.constant('0'.repeat(128)),
});

const filter = fc.record(
  {
    ids: fc.array(small(ids), { maxLength: 2 }),
    authors: fc.array(small(ids), { maxLength: 2 }),
    kinds: fc.array(fc.integer({ min: 20_000, max: 20_003 }), { maxLength: 2 }),
    since: fc.integer({ min: 100, max: 110 }),
    until: fc.integer({ min: 100, max: 110 }),
    '#x': fc.array(small(topics), { maxLength: 2 }),
    '#p': fc.array(small(topics), { maxLength: 2 }),
  },
  { requiredKeys: [] },
);

test('without slack, matching agrees with nostr-tools matchFilter on every filter and event', () => {
  fc.assert(
    fc.property(filter, event, (raw, value) => {
      const parsed = parseNostrFilter(raw);
      assert.ok(parsed.ok);
      assert.equal(
        matchesFilter(compileFilter(parsed.value), value, 0),
        nostrFilter.matchFilter(raw, value),
      );
    }),
    { numRuns: 2_000 },
  );
});

test('since and until are widened by the slack, nothing else is', () => {
  const parsed = parseNostrFilter({ since: 1000, until: 2000, '#x': ['t1'] });
  assert.ok(parsed.ok);
  const compiled = compileFilter(parsed.value);
  const at = (created_at: number, topic = 't1'): NostrEvent => ({
    id: ids[0]!,
    pubkey: ids[0]!,
    created_at,
    kind: 20_000,
    tags: [['x', topic]],
    content: '',
    sig: '0'.repeat(128),
  });
  assert.equal(matchesFilter(compiled, at(900), 0), false);
  assert.equal(matchesFilter(compiled, at(900), 100), true);
  assert.equal(matchesFilter(compiled, at(899), 100), false);
  assert.equal(matchesFilter(compiled, at(2100), 100), true);
  assert.equal(matchesFilter(compiled, at(2101), 100), false);
  assert.equal(matchesFilter(compiled, at(1500, 't2'), 10_000), false);
  assert.deepEqual([...(filterTopics(compiled) ?? [])], ['t1']);
  const any = parseNostrFilter({ kinds: [20_000] });
  assert.ok(any.ok);
  assert.equal(filterTopics(compileFilter(any.value)), undefined);
});
