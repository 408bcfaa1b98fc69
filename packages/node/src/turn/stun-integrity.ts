/**
 * MESSAGE-INTEGRITY (RFC 8489 §14.5), FINGERPRINT (§14.7) and the long-term credential key
 * (§9.2.2). Both checks hash the message "as if" its length field ended at the checked attribute,
 * so the header is patched in a 20-byte copy rather than copying the whole message.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';
import {
  ATTR_FINGERPRINT,
  ATTR_MESSAGE_INTEGRITY,
  HEADER_LENGTH,
  encodeStunMessage,
  findAttribute,
  type StunMessage,
  type StunMessageInput,
} from './stun-message.js';

/** RFC 8489 §14.7: the CRC-32 is XORed with this so STUN cannot be mistaken for other CRCs. */
const FINGERPRINT_XOR = 0x5354554e;
const MI_LENGTH = 20;

/** RFC 8489 §9.2.2: key = MD5(username ":" realm ":" password) for the long-term mechanism. */
export function longTermKey(username: string, realm: string, password: string): Uint8Array {
  return createHash('md5').update(`${username}:${realm}:${password}`, 'utf8').digest();
}

function headerWithLength(raw: Uint8Array, length: number): Uint8Array {
  const header = raw.slice(0, HEADER_LENGTH);
  header[2] = (length >> 8) & 0xff;
  header[3] = length & 0xff;
  return header;
}

/** The HMAC-SHA1 over `raw` up to `offset`, with the length field pointing just past the MI. */
function integrityOver(raw: Uint8Array, offset: number, key: Uint8Array): Buffer {
  return createHmac('sha1', key)
    .update(headerWithLength(raw, offset + 4 + MI_LENGTH - HEADER_LENGTH))
    .update(raw.subarray(HEADER_LENGTH, offset))
    .digest();
}

function fingerprintOver(raw: Uint8Array, offset: number): number {
  const header = headerWithLength(raw, offset + 8 - HEADER_LENGTH);
  return (crc32(raw.subarray(HEADER_LENGTH, offset), crc32(header)) ^ FINGERPRINT_XOR) >>> 0;
}

/**
 * Verifies MESSAGE-INTEGRITY with `key` in constant time. False when the attribute is missing
 * or has the wrong length.
 */
export function verifyMessageIntegrity(message: StunMessage, key: Uint8Array): boolean {
  const attribute = findAttribute(message, ATTR_MESSAGE_INTEGRITY);
  if (attribute === undefined || attribute.value.length !== MI_LENGTH) return false;
  return timingSafeEqual(integrityOver(message.raw, attribute.offset, key), attribute.value);
}

/** True when there is no FINGERPRINT, or when it matches (RFC 8489 §7.3: a mismatch means "not STUN"). */
export function fingerprintMatches(message: StunMessage): boolean {
  const attribute = findAttribute(message, ATTR_FINGERPRINT);
  if (attribute === undefined) return true;
  if (attribute.value.length !== 4) return false;
  const view = new DataView(attribute.value.buffer, attribute.value.byteOffset, 4);
  return view.getUint32(0) === fingerprintOver(message.raw, attribute.offset);
}

/** Options for {@link encodeSignedMessage}. */
export interface SignOptions {
  /** Long-term or short-term key; adds MESSAGE-INTEGRITY when given. */
  readonly key?: Uint8Array | undefined;
  /** Adds FINGERPRINT (default true). */
  readonly fingerprint?: boolean;
}

/** Encodes a message and appends MESSAGE-INTEGRITY and FINGERPRINT in the RFC 8489 §14 order. */
export function encodeSignedMessage(
  input: StunMessageInput,
  options: SignOptions = {},
): Uint8Array {
  const withFingerprint = options.fingerprint ?? true;
  const extra = [];
  if (options.key !== undefined)
    extra.push({ type: ATTR_MESSAGE_INTEGRITY, value: new Uint8Array(MI_LENGTH) });
  if (withFingerprint) extra.push({ type: ATTR_FINGERPRINT, value: new Uint8Array(4) });
  if (extra.length === 0) return encodeStunMessage(input);
  const out = encodeStunMessage({ ...input, attributes: [...input.attributes, ...extra] });
  const tail = (options.key !== undefined ? 4 + MI_LENGTH : 0) + (withFingerprint ? 8 : 0);
  let offset = out.length - tail;
  if (options.key !== undefined) {
    out.set(integrityOver(out, offset, options.key), offset + 4);
    offset += 4 + MI_LENGTH;
  }
  if (withFingerprint) {
    new DataView(out.buffer, out.byteOffset).setUint32(offset + 4, fingerprintOver(out, offset));
  }
  return out;
}
