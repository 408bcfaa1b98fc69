import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  nostrEventHashInput,
  nostrRefusalTarget,
  nostrTagValue,
  parseNostrClientMessage,
  parseNostrEvent,
  type NostrClientMessage,
  type NostrEvent,
} from '../src/index.js';

const hex = (length: number): fc.Arbitrary<string> =>
  fc
    .uint8Array({ minLength: length / 2, maxLength: length / 2 })
    .map((bytes) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(''));

const event: fc.Arbitrary<NostrEvent> = fc.record({
  id: hex(64),
  pubkey: hex(64),
  created_at: fc.integer({ min: 0, max: 2 ** 40 }),
  kind: fc.integer({ min: 0, max: 65_535 }),
  tags: fc.array(fc.array(fc.string(), { minLength: 1, maxLength: 4 }), { maxLength: 5 }),
  content: fc.string(),
  sig: hex(128),
});

const filter = fc.record(
  {
    ids: fc.array(hex(64), { maxLength: 3 }),
    authors: fc.array(hex(64), { maxLength: 3 }),
    kinds: fc.array(fc.integer({ min: 0, max: 65_535 }), { maxLength: 3 }),
    since: fc.integer({ min: 0, max: 2 ** 40 }),
    until: fc.integer({ min: 0, max: 2 ** 40 }),
    '#x': fc.array(fc.string(), { maxLength: 5 }),
  },
  { requiredKeys: [] },
);

const subId = fc.string({ minLength: 1, maxLength: 64 });

test('EVENT, REQ and CLOSE round-trip through JSON and the parser', () => {
  fc.assert(
    fc.property(event, (value) => {
      const wire = JSON.parse(JSON.stringify(['EVENT', value])) as [string, NostrEvent];
      const result = parseNostrClientMessage(wire);
      assert.ok(result.ok);
      assert.deepEqual(result.value, {
        type: 'EVENT',
        event: wire[1],
      } satisfies NostrClientMessage);
    }),
  );
  fc.assert(
    fc.property(subId, fc.array(filter, { minLength: 1, maxLength: 3 }), (id, filters) => {
      const result = parseNostrClientMessage(JSON.parse(JSON.stringify(['REQ', id, ...filters])));
      assert.ok(result.ok && result.value.type === 'REQ');
      assert.equal(result.value.subId, id);
      for (const [i, parsed] of result.value.filters.entries()) {
        const raw = filters[i]!;
        assert.deepEqual(parsed.kinds, raw.kinds);
        assert.deepEqual(parsed.tags?.x, raw['#x']);
        assert.equal(parsed.since, raw.since);
      }
    }),
  );
  fc.assert(
    fc.property(subId, (id) => {
      assert.deepEqual(parseNostrClientMessage(['CLOSE', id]), {
        ok: true,
        value: { type: 'CLOSE', subId: id },
      });
    }),
  );
});

test('any JSON value parses to a message or a TOPIC_MESSAGE_INVALID refusal, never a throw', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const result = parseNostrClientMessage(value);
      if (!result.ok) assert.equal(result.code, 'TOPIC_MESSAGE_INVALID');
      const target = nostrRefusalTarget(value);
      assert.ok(['OK', 'CLOSED', 'NOTICE'].includes(target.kind));
    }),
  );
  fc.assert(
    fc.property(
      fc.constantFrom('EVENT', 'REQ', 'CLOSE'),
      fc.array(fc.jsonValue(), { maxLength: 3 }),
      (type, rest) => {
        const result = parseNostrClientMessage([type, ...rest]);
        if (!result.ok) assert.equal(result.code, 'TOPIC_MESSAGE_INVALID');
      },
    ),
  );
});

test('a broken event is refused with the field named, and answered on its id when it has one', () => {
  const good = fc.sample(event, 1)[0]!;
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ ...good, id: 'ABC' }, /^id /],
    [{ ...good, pubkey: good.pubkey.toUpperCase() + 'x' }, /^pubkey /],
    [{ ...good, sig: good.sig.slice(2) }, /^sig /],
    [{ ...good, created_at: 1.5 }, /^created_at /],
    [{ ...good, kind: 70_000 }, /^kind /],
    [{ ...good, content: 7 }, /^content /],
    [{ ...good, tags: [[]] }, /^tags /],
    [{ ...good, tags: [['x', 1]] }, /^tags /],
  ];
  for (const [value, reason] of cases) {
    const result = parseNostrEvent(value);
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.message, reason);
  }
  assert.deepEqual(nostrRefusalTarget(['EVENT', { ...good, kind: 'x' }]), {
    kind: 'OK',
    id: good.id,
  });
  assert.deepEqual(nostrRefusalTarget(['REQ', 'sub', { kinds: 'x' }]), {
    kind: 'CLOSED',
    subId: 'sub',
  });
  assert.deepEqual(nostrRefusalTarget(['REQ', '', {}]), { kind: 'NOTICE' });
  assert.equal(parseNostrClientMessage(['REQ', 'x'.repeat(65), {}]).ok, false);
  assert.equal(parseNostrClientMessage(['REQ', 'no-filters']).ok, false);
});

test('the id input is NIP-01 serialization; the x tag names the topic', () => {
  const value: NostrEvent = {
    id: '0'.repeat(64),
    pubkey: 'a'.repeat(64),
    created_at: 1700000000,
    kind: 22349,
    tags: [
      ['t', 'x'],
      ['x', 'topic', 'extra'],
      ['x', 'second'],
    ],
    content: 'line\n"quoted"\\',
    sig: '0'.repeat(128),
  };
  assert.equal(
    nostrEventHashInput(value),
    `[0,"${'a'.repeat(64)}",1700000000,22349,[["t","x"],["x","topic","extra"],["x","second"]],"line\\n\\"quoted\\"\\\\"]`,
  );
  assert.equal(nostrTagValue(value, 'x'), 'topic');
  assert.equal(nostrTagValue(value, 'p'), undefined);
});
