/**
 * Valid values of the wire protocol's building blocks (ids, hashes, challenges, offers), as the
 * seeds the JSON and text mutators start from.
 */
import fc from 'fast-check';
import {
  encodeChallenge,
  encodeChallengeFields,
  POW_VERSION,
  powScopes,
  toBase64url,
  type PeerId,
  type PowOffer,
  type RoomHash,
} from '@sigmesh/protocol';
import { jsonObject, type JsonTree } from '../lib/json-tree.js';

const hexOf = (bytes: number): fc.Arbitrary<string> =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));

export const peerId = hexOf(16).map((text) => text as PeerId);
export const roomHash = hexOf(20).map((text) => text as RoomHash);
export const nodeId = hexOf(32);
export const messageId = hexOf(16);
export const base64urlOf = (bytes: number): fc.Arbitrary<string> =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map(toBase64url);

/** A well-formed challenge (its MAC is random: only a node could check it). */
export const challengeText: fc.Arbitrary<string> = fc
  .record({
    issuedAt: fc.nat(),
    ttl: fc.integer({ min: 0, max: 0xffff }),
    difficulty: fc.integer({ min: 1, max: 0xffff_ffff }),
    scopeTag: fc.uint8Array({ minLength: 8, maxLength: 8 }),
    nonce: fc.uint8Array({ minLength: 8, maxLength: 8 }),
    mac: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  })
  .map(({ mac, ...fields }) =>
    encodeChallenge(encodeChallengeFields({ version: POW_VERSION, ...fields }), mac),
  );

export const powOffer: fc.Arbitrary<PowOffer> = fc.record({
  challenge: challengeText,
  difficulty: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  scope: fc.constantFrom(...powScopes),
});

/** A typed value as the JSON tree the mutators work on. */
export function asTree(value: unknown): JsonTree {
  return JSON.parse(JSON.stringify(value)) as JsonTree;
}

/** A record as a tree, keys in order (so a valid document prints as its encoder would). */
export function treeOf(entries: Record<string, JsonTree>): JsonTree {
  return jsonObject(Object.entries(entries));
}

export const count = fc.oneof(fc.constantFrom(0, 1, Number.MAX_SAFE_INTEGER), fc.nat());
export const fraction = fc.oneof(fc.constantFrom(0, 1), fc.double({ min: 0, max: 1, noNaN: true }));
