import { fromBase64url, toBase64url, type Base64urlDecoder } from './encoding.js';
import { parsed, rejected, type ParseResult } from './parse-result.js';

/**
 * Proof-of-work challenge format, version 1 (after Tor's onion-service PoW and hashcash).
 *
 * A challenge is 43 bytes, sent base64url (58 characters):
 *
 * | offset | size | field                                                          |
 * |--------|------|----------------------------------------------------------------|
 * | 0      | 1    | version (1)                                                    |
 * | 1      | 4    | issued-at, unix seconds, big-endian                            |
 * | 5      | 2    | time-to-live, seconds                                          |
 * | 7      | 4    | difficulty: expected number of hashes to solve it              |
 * | 11     | 8    | scope tag: first 8 bytes of SHA-256(scope "\|" client address) |
 * | 19     | 8    | random nonce (also the replay-set key)                         |
 * | 27     | 16   | MAC (node secret, bytes 0..27), e.g. truncated HMAC-SHA-256    |
 *
 * The node keeps no state per challenge: the MAC proves it issued it. Computing the MAC and
 * the scope tag is the node's job (it holds the secret); this module only lays out bytes.
 */
export const POW_VERSION = 1;
export const POW_SIGNED_BYTES = 27;
export const POW_MAC_BYTES = 16;
export const POW_CHALLENGE_BYTES = POW_SIGNED_BYTES + POW_MAC_BYTES;
export const POW_SCOPE_TAG_BYTES = 8;
export const POW_NONCE_BYTES = 8;

/** What a challenge can be spent on. One challenge, one request of one scope. */
export const powScopes = ['room-join', 'room-post', 'token', 'dht-get', 'dht-put'] as const;
export type PowScope = (typeof powScopes)[number];

/** True for a known scope name. */
export function isPowScope(value: unknown): value is PowScope {
  return typeof value === 'string' && (powScopes as readonly string[]).includes(value);
}

/** The signed fields of a challenge. */
export interface PowChallengeFields {
  readonly version: number;
  readonly issuedAt: number;
  readonly ttl: number;
  readonly difficulty: number;
  readonly scopeTag: Uint8Array;
  readonly nonce: Uint8Array;
}

/** A decoded challenge: its fields, its raw bytes (what the solution hashes) and its MAC. */
export interface PowChallenge extends PowChallengeFields {
  readonly bytes: Uint8Array;
  readonly mac: Uint8Array;
  /** The base64url text, as sent. */
  readonly text: string;
}

/**
 * Lays out the 27 signed bytes of a challenge, in a new array or at `offset` of `out` (a node
 * issuing challenges writes them straight into the buffer it computes the MAC over).
 */
export function encodeChallengeFields(
  fields: PowChallengeFields,
  out: Uint8Array = new Uint8Array(POW_SIGNED_BYTES),
  offset = 0,
): Uint8Array {
  if (fields.scopeTag.length !== POW_SCOPE_TAG_BYTES)
    throw new RangeError('scope tag must be 8 bytes');
  if (fields.nonce.length !== POW_NONCE_BYTES) throw new RangeError('nonce must be 8 bytes');
  if (out.length < offset + POW_SIGNED_BYTES) throw new RangeError('no room for the fields');
  const view = new DataView(out.buffer, out.byteOffset + offset, POW_SIGNED_BYTES);
  view.setUint8(0, fields.version);
  view.setUint32(1, fields.issuedAt);
  view.setUint16(5, fields.ttl);
  view.setUint32(7, fields.difficulty);
  out.set(fields.scopeTag, offset + 11);
  out.set(fields.nonce, offset + 19);
  return out;
}

/** Joins signed bytes and MAC into the base64url challenge text. */
export function encodeChallenge(signed: Uint8Array, mac: Uint8Array): string {
  if (signed.length !== POW_SIGNED_BYTES || mac.length !== POW_MAC_BYTES) {
    throw new RangeError('challenge parts have the wrong size');
  }
  const bytes = new Uint8Array(POW_CHALLENGE_BYTES);
  bytes.set(signed, 0);
  bytes.set(mac, POW_SIGNED_BYTES);
  return toBase64url(bytes);
}

/**
 * Decodes challenge text from untrusted input. Checks form only; the MAC is the node's to check.
 * `decode` is {@link fromBase64url} unless a faster one with the same answers is given (a node
 * decodes natively).
 */
export function decodeChallenge(
  text: string,
  decode: Base64urlDecoder = fromBase64url,
): ParseResult<PowChallenge> {
  const bytes = decode(text);
  if (bytes?.length !== POW_CHALLENGE_BYTES) {
    return rejected('POW_MALFORMED', `a challenge is ${POW_CHALLENGE_BYTES} bytes of base64url`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(0);
  if (version !== POW_VERSION)
    return rejected('POW_MALFORMED', `unknown challenge version ${version}`);
  const difficulty = view.getUint32(7);
  if (difficulty === 0) return rejected('POW_MALFORMED', 'challenge difficulty is 0');
  return parsed({
    version,
    issuedAt: view.getUint32(1),
    ttl: view.getUint16(5),
    difficulty,
    // Views, not copies: the decoded bytes belong to this challenge alone.
    scopeTag: bytes.subarray(11, 19),
    nonce: bytes.subarray(19, 27),
    bytes,
    mac: bytes.subarray(POW_SIGNED_BYTES),
    text,
  });
}
