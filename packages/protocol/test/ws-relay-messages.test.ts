import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  parseTopicBusMessage,
  parseWsRelayClientMessage,
  TOPIC_MAX_LENGTH,
  type WsRelayClientMessage,
} from '../src/index.js';

const topic = fc.string({ minLength: 1, maxLength: TOPIC_MAX_LENGTH });
const hex32 = fc
  .uint8Array({ minLength: 16, maxLength: 16 })
  .map((bytes) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(''));

test('subscribe, unsubscribe and publish round-trip through JSON and the parser', () => {
  const message: fc.Arbitrary<unknown> = fc.oneof(
    fc.record({ type: fc.constantFrom('subscribe' as const, 'unsubscribe' as const), topic }),
    fc.record({ type: fc.constant('publish' as const), topic, payload: fc.jsonValue() }),
  );
  fc.assert(
    fc.property(message, (value) => {
      const wire = JSON.parse(JSON.stringify(value)) as WsRelayClientMessage;
      const result = parseWsRelayClientMessage(wire);
      assert.ok(result.ok);
      assert.deepEqual(result.value, wire);
    }),
  );
});

test('any JSON value parses to a message or a TOPIC_MESSAGE_INVALID refusal, never a throw', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const result = parseWsRelayClientMessage(value);
      if (!result.ok) assert.equal(result.code, 'TOPIC_MESSAGE_INVALID');
    }),
  );
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const result = parseTopicBusMessage(value);
      if (!result.ok) assert.equal(result.code, 'TOPIC_MESSAGE_INVALID');
    }),
  );
});

test('refusals say what is wrong; a Nostr frame is pointed to /nostr', () => {
  const reason = (value: unknown): string => {
    const result = parseWsRelayClientMessage(value);
    assert.equal(result.ok, false);
    return result.ok ? '' : result.message;
  };
  assert.match(reason(['REQ', 'sub', {}]), /\/nostr/);
  assert.match(reason({ type: 'subscribe', topic: '' }), /^topic /);
  assert.match(reason({ type: 'subscribe', topic: 'x'.repeat(TOPIC_MAX_LENGTH + 1) }), /^topic /);
  assert.match(reason({ type: 'publish', topic: 't' }), /payload/);
  assert.match(reason({ type: 'join', topic: 't' }), /^type /);
});

test('bus messages carry a signed event or a payload under a 32-hex id', () => {
  fc.assert(
    fc.property(hex32, topic, fc.jsonValue(), (id, t, payload) => {
      const result = parseTopicBusMessage(JSON.parse(JSON.stringify({ id, topic: t, payload })));
      assert.ok(result.ok);
    }),
  );
  assert.equal(parseTopicBusMessage({ id: 'zz', topic: 't', payload: 1 }).ok, false);
  assert.equal(
    parseTopicBusMessage({ id: 'a'.repeat(32), topic: 't', event: { id: 'x' } }).ok,
    false,
  );
  assert.equal(parseTopicBusMessage({ id: 'a'.repeat(32), topic: 't' }).ok, false);
});
