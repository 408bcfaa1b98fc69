import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BYE_MAX_NODES, parseByeEvent } from '../src/index.js';

test('a bye event parses; foreign URLs are dropped, the list is capped, an unknown reason is stopping', () => {
  const many = Array.from({ length: 20 }, (_, i) => `https://n${i}.example`);
  const bye = parseByeEvent({
    reason: 'upgrading',
    retryAfterMs: 60000,
    drainMs: 5000,
    nodes: ['javascript:alert(1)', 42, ...many],
  });
  assert.ok(bye.ok);
  assert.equal(bye.value.reason, 'stopping');
  assert.deepEqual(bye.value.nodes, many.slice(0, BYE_MAX_NODES));
  assert.ok(parseByeEvent({ retryAfterMs: 1, drainMs: 1 }).ok, 'nodes may be absent');
});

test('a bye without its times, or with negative ones, is refused', () => {
  for (const value of [
    null,
    [],
    {},
    { retryAfterMs: -1, drainMs: 1 },
    { retryAfterMs: 1 },
    { retryAfterMs: 1, drainMs: 1, nodes: 'x' },
  ])
    assert.equal(parseByeEvent(value).ok, false, JSON.stringify(value));
});

test('parseByeEvent never throws and round-trips what a node sends', () => {
  fc.assert(fc.property(fc.anything(), (value) => void parseByeEvent(value)));
  fc.assert(
    fc.property(
      fc.nat(),
      fc.nat(),
      fc.array(fc.webUrl({ validSchemes: ['http', 'https'] }), { maxLength: BYE_MAX_NODES }),
      (retryAfterMs, drainMs, nodes) => {
        const event = { reason: 'stopping' as const, retryAfterMs, drainMs, nodes };
        const again = parseByeEvent(JSON.parse(JSON.stringify(event)));
        assert.ok(again.ok);
        assert.deepEqual(again.value, event);
      },
    ),
  );
});
