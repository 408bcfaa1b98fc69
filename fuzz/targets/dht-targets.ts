/**
 * BEP 44 mutable items as the HTTP API carries them (`GET /dht-get`, `POST /dht-put` bodies from
 * clients, answers to clients) with the node's signature check (`discovery/signed-item.ts`), and
 * the node descriptors other nodes publish in the DHT (`parseNodeDescriptor`: bytes from anyone).
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import {
  encodeDhtItem,
  encodeNodeDescriptor,
  parseDhtGetQuery,
  parseDhtGetResult,
  parseDhtItem,
  parseDhtPutRequest,
  parseDhtPutResult,
  parseNodeDescriptor,
  toHex,
  type DhtMutableItem,
  type ParseResult,
} from '@sigmesh/protocol';
import { mutatedBytes } from '../lib/byte-mutations.js';
import { fuzzTarget } from '../lib/fuzz-target.js';
import { mutatedJson } from '../lib/json-mutations.js';
import { jsonText } from '../lib/json-tree.js';
import { parsedValue, reserializes } from '../lib/oracles.js';
import { createSigner } from '../../packages/node/src/discovery/ed25519-keys.js';
import { signItem, validateSignedItem } from '../../packages/node/src/discovery/signed-item.js';
import { asTree, count, nodeId } from './protocol-seeds.js';

const keys = generateKeyPairSync('ed25519');
const signer = createSigner({ publicKey: keys.publicKey, privateKey: keys.privateKey });

/** An item signed by a real key: salt (often empty), seq, a value up to the BEP 44 size. */
const signedItem = fc
  .record({
    salt: fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 1, maxLength: 64 })),
    seq: fc.oneof(fc.constantFrom(0, Number.MAX_SAFE_INTEGER), fc.nat()),
    v: fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.constant(new Uint8Array(996))),
  })
  .map(({ salt, seq, v }) => signItem(signer, salt, seq, v));

const target = fc.uint8Array({ minLength: 20, maxLength: 20 }).map(toHex);

/** One message kind: the valid JSON it starts from and the parser under test. */
const kinds = [
  {
    name: 'put request',
    seed: fc
      .tuple(signedItem, fc.option(count, { nil: undefined }))
      .map(([item, cas]) => ({ ...encodeDhtItem(item), ...(cas === undefined ? {} : { cas }) })),
    parse: parseDhtPutRequest,
  },
  {
    name: 'get query',
    seed: signedItem.map((item) => {
      const { k, salt } = encodeDhtItem(item);
      return salt === undefined ? { k } : { k, salt };
    }),
    parse: parseDhtGetQuery,
  },
  {
    name: 'get result',
    seed: fc.tuple(signedItem, target).map(([item, t]) => ({ ...encodeDhtItem(item), target: t })),
    parse: parseDhtGetResult,
  },
  {
    name: 'put result',
    seed: fc.record({ target, seq: count, stored: count }),
    parse: parseDhtPutResult,
  },
] as const;

export const dhtItemsTarget = fuzzTarget({
  name: 'dht-items',
  covers: [
    'parseDhtPutRequest, parseDhtItem, parseDhtGetQuery, parseDhtGetResult, parseDhtPutResult (packages/protocol/src/dht-messages.ts)',
    'validateSignedItem (packages/node/src/discovery/signed-item.ts): the ed25519 check a put gets',
  ],
  inputs: fc.integer({ min: 0, max: kinds.length - 1 }).chain((index) =>
    kinds[index]!.seed.chain((seed) =>
      mutatedJson(fc.constant(asTree(seed))).map(({ tree, valid }) => ({
        index,
        text: jsonText(tree),
        valid,
        seed: seed,
      })),
    ),
  ),
  check({
    index,
    text,
    valid,
    seed,
  }: {
    index: number;
    text: string;
    valid: boolean;
    seed: Record<string, unknown>;
  }) {
    const kind = kinds[index]!;
    const json: unknown = JSON.parse(text);
    const value = parsedValue((kind.parse as (v: unknown) => ParseResult<unknown>)(json));
    if (value === undefined) {
      assert.ok(!valid, `a valid ${kind.name} was refused`);
      return;
    }
    const again = parsedValue(
      (kind.parse as (v: unknown) => ParseResult<unknown>)(reserializes(encodeIfItem(value))),
    );
    assert.ok(again !== undefined, `a parsed ${kind.name} is refused when parsed again`);
    assert.equal(JSON.stringify(encodeIfItem(again)), JSON.stringify(encodeIfItem(value)));
    if (kind.name !== 'put request') return;
    // The signature check: it verifies exactly when k, salt, seq, v and sig are the signed ones.
    const item = value as DhtMutableItem;
    const signed = parseDhtItem(seed);
    assert.ok(signed.ok);
    const same =
      ['k', 'salt', 'v', 'sig'].every((f) =>
        Buffer.from(item[f as 'k']).equals(Buffer.from(signed.value[f as 'k'])),
      ) && item.seq === signed.value.seq;
    const checked = validateSignedItem(json);
    assert.equal(
      checked.ok,
      same,
      same ? 'a signed item failed its check' : 'an item not as signed passed its check',
    );
    if (!checked.ok) assert.equal(checked.code, 'DHT_SIGNATURE_INVALID');
  },
});

/** Items hold bytes: compare and re-send them in their JSON form. */
function encodeIfItem(value: unknown): unknown {
  // Get results are already in JSON form (hex and base64url strings).
  if (typeof value !== 'object' || value === null || !('k' in value) || typeof value.k === 'string')
    return value;
  if ('sig' in value) {
    const item = value as DhtMutableItem & { cas?: number };
    return { ...encodeDhtItem(item), ...(item.cas === undefined ? {} : { cas: item.cas }) };
  }
  const query = value as { k: Uint8Array; salt: Uint8Array };
  return {
    k: toHex(query.k),
    ...(query.salt.length === 0 ? {} : { salt: Buffer.from(query.salt).toString('base64url') }),
  };
}

const descriptor = fc.record({
  v: fc.constant(1 as const),
  id: nodeId,
  url: fc.oneof(fc.constantFrom('http://127.0.0.1:8000'), fc.webUrl()),
  port: fc.integer({ min: 1, max: 65535 }),
  price: fc.oneof(count, fc.double({ min: 0, max: 1e9, noNaN: true })),
  version: fc.constantFrom('0.1.0'),
  ts: count,
});

export const nodeDescriptorTarget = fuzzTarget({
  name: 'node-descriptor',
  covers: ['parseNodeDescriptor, encodeNodeDescriptor (packages/protocol/src/dht-messages.ts)'],
  inputs: fc.oneof(
    {
      weight: 3,
      arbitrary: mutatedJson(descriptor.map(asTree)).map(({ tree, valid }) => ({
        bytes: new Uint8Array(Buffer.from(jsonText(tree))),
        valid,
      })),
    },
    {
      weight: 1,
      arbitrary: mutatedBytes(descriptor.map(encodeNodeDescriptor)).map((bytes) => ({
        bytes,
        valid: false,
      })),
    },
  ),
  check({ bytes, valid }: { bytes: Uint8Array; valid: boolean }) {
    const value = parsedValue(parseNodeDescriptor(bytes), ['DHT_ITEM_INVALID']);
    if (value === undefined) {
      assert.ok(!valid, 'a valid descriptor was refused');
      return;
    }
    const again = parseNodeDescriptor(encodeNodeDescriptor(value));
    assert.ok(again.ok);
    assert.equal(JSON.stringify(again.value), JSON.stringify(value));
  },
});
