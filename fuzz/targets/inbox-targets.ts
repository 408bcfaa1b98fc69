/**
 * What reaches a person through its inbox (issue 14): the inbox messages another client posts
 * (ring, answers, ping, pong, request; packages/protocol/src/inbox-messages.ts), the sealed payload
 * of a private inbox, the owner proof a node reads from a join's query (inbox.ts), and the
 * missed-call notes anyone can store in the DHT (missed-call-note.ts).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  formatInboxOwnerProof,
  MAX_CALLER_NAME_CHARS,
  MAX_NOTED_CALLS,
  MAX_PONG_NODES,
  MAX_REQUEST_TEXT_CHARS,
  parseInboxMessage,
  parseInboxOwnerProof,
  parseMissedCallNote,
  parseSealedInboxPayload,
  type InboxMessage,
  type ParseResult,
  type SealedInboxPayload,
} from '@sigmesh/protocol';
import { fuzzTarget } from '../lib/fuzz-target.js';
import { mutatedJson } from '../lib/json-mutations.js';
import { jsonText, type JsonTree } from '../lib/json-tree.js';
import { parsedValue } from '../lib/oracles.js';
import { mutatedText } from '../lib/text-mutations.js';
import { asTree, base64urlOf, messageId } from './protocol-seeds.js';

const signed = {
  v: fc.constant(1 as const),
  from: base64urlOf(32),
  at: fc.nat({ max: 2 ** 45 }),
  sig: base64urlOf(64),
};
const name = fc.string({ maxLength: MAX_CALLER_NAME_CHARS });

/** Every inbox message kind, well formed, and a private inbox's sealed payload. */
const inboxMessage = fc.oneof(
  fc.record(
    {
      ...signed,
      kind: fc.constant('ring' as const),
      call: messageId,
      eph: base64urlOf(65),
      media: fc.record({ video: fc.boolean(), audio: fc.boolean() }),
      name,
    },
    { requiredKeys: ['v', 'from', 'at', 'sig', 'kind', 'call', 'eph', 'media'] },
  ),
  fc.record({
    ...signed,
    kind: fc.constant('accept' as const),
    call: messageId,
    eph: base64urlOf(65),
  }),
  fc.record({
    ...signed,
    kind: fc.constantFrom(
      'decline' as const,
      'busy' as const,
      'refused' as const,
      'cancel' as const,
    ),
    call: messageId,
  }),
  fc.record({ ...signed, kind: fc.constant('ping' as const), nonce: messageId }),
  fc.record(
    {
      ...signed,
      kind: fc.constant('pong' as const),
      nonce: messageId,
      nodes: fc.array(fc.constantFrom('https://a.example', 'http://127.0.0.1:8080'), {
        maxLength: MAX_PONG_NODES,
      }),
    },
    { requiredKeys: ['v', 'from', 'at', 'sig', 'kind', 'nonce'] },
  ),
  fc.record(
    {
      ...signed,
      kind: fc.constant('request' as const),
      nonce: messageId,
      name,
      text: fc.string({ maxLength: MAX_REQUEST_TEXT_CHARS }),
    },
    { requiredKeys: ['v', 'from', 'at', 'sig', 'kind', 'nonce'] },
  ),
);
const sealedPayload = fc.record({
  v: fc.constant(1 as const),
  kind: fc.constant('sealed' as const),
  box: fc
    .uint8Array({ minLength: 30, maxLength: 600 })
    .map((b) => Buffer.from(b).toString('base64url')),
});

export const inboxMessagesTarget = fuzzTarget({
  name: 'inbox-messages',
  covers: [
    'parseInboxMessage, parseSealedInboxPayload (packages/protocol/src/inbox-messages.ts): what a guest or an owner posts in an inbox',
  ],
  inputs: mutatedJson(fc.oneof(inboxMessage, sealedPayload).map(asTree)).map(({ tree, valid }) => ({
    tree,
    valid,
  })),
  check({ tree, valid }: { tree: JsonTree; valid: boolean }) {
    const text = jsonText(tree);
    const value = JSON.parse(text) as unknown;
    const sealed = (value as { kind?: unknown } | null)?.kind === 'sealed';
    const parse = (input: unknown): ParseResult<InboxMessage | SealedInboxPayload> =>
      sealed ? parseSealedInboxPayload(input) : parseInboxMessage(input);
    const parsed = parsedValue(parse(value));
    if (parsed === undefined) {
      assert.ok(!valid, 'a valid inbox message was refused');
      return;
    }
    // Idempotent, and bounded as documented.
    const again = parsedValue(parse(JSON.parse(JSON.stringify(parsed))));
    assert.equal(JSON.stringify(again), JSON.stringify(parsed));
    if (valid) assert.equal(JSON.stringify(parsed), text, 'a valid message parses to itself');
    if ('name' in parsed && parsed.name !== undefined)
      assert.ok(parsed.name.length <= MAX_CALLER_NAME_CHARS);
    if ('text' in parsed && parsed.text !== undefined)
      assert.ok(parsed.text.length <= MAX_REQUEST_TEXT_CHARS);
    if ('nodes' in parsed && parsed.nodes !== undefined)
      assert.ok(parsed.nodes.length <= MAX_PONG_NODES);
  },
});

const proof = fc
  .record({ key: base64urlOf(32), signedAt: fc.nat({ max: 2 ** 45 }), sig: base64urlOf(64) })
  .map(formatInboxOwnerProof);
const note = fc.record(
  {
    v: fc.constant(1 as const),
    to: base64urlOf(32),
    name,
    calls: fc.array(fc.record({ call: messageId, at: fc.nat({ max: 2 ** 45 }) }), {
      maxLength: MAX_NOTED_CALLS,
    }),
  },
  { requiredKeys: ['v', 'to', 'calls'] },
);

export const inboxProofAndNotesTarget = fuzzTarget({
  name: 'inbox-proof-notes',
  covers: [
    "parseInboxOwnerProof (packages/protocol/src/inbox.ts): a join's `owner` query value",
    'parseMissedCallNote (packages/protocol/src/missed-call-note.ts): DHT bytes anyone can store',
  ],
  inputs: fc.oneof(
    mutatedText(proof).map((text) => ({ kind: 'proof' as const, text })),
    mutatedText(note.map((n) => JSON.stringify(n))).map((text) => ({
      kind: 'note' as const,
      text,
    })),
    fc.uint8Array({ maxLength: 1200 }).map((bytes) => ({ kind: 'bytes' as const, bytes })),
  ),
  check(input) {
    if (input.kind === 'proof') {
      const parsed = parsedValue(parseInboxOwnerProof(input.text));
      if (parsed !== undefined) assert.equal(formatInboxOwnerProof(parsed), input.text);
      return;
    }
    const bytes = input.kind === 'bytes' ? input.bytes : new TextEncoder().encode(input.text);
    const parsed = parsedValue(parseMissedCallNote(bytes));
    if (parsed === undefined) return;
    assert.ok(parsed.calls.length <= MAX_NOTED_CALLS);
    const again = parsedValue(
      parseMissedCallNote(new TextEncoder().encode(JSON.stringify(parsed))),
    );
    assert.equal(JSON.stringify(again), JSON.stringify(parsed));
  },
});
