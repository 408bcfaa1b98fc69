import { asBufferSource } from '../signaling/encode.js';

/** RFC 4648 §6 base32: no 0/1/8/9, so it reads aloud and copies by hand without O/0 or I/1 mix-ups. */
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** 15 bytes = 120 bits = 24 base32 characters, no padding. */
const FINGERPRINT_BYTES = 15;
const GROUP_CHARS = 4;

/**
 * A public key's fingerprint for people to compare (read out on a call, printed next to a
 * contact): the first 120 bits of SHA-256 of the raw key in upper-case base32, in 6 groups of 4
 * joined by `-`, e.g. `K5XQ-2MBD-7HNA-QW3E-RT4Y-UI2O`. Equal fingerprints mean the same key.
 */
export async function fingerprintOf(rawPublicKey: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-256', asBufferSource(rawPublicKey)),
  );
  const chars = toBase32(digest.subarray(0, FINGERPRINT_BYTES));
  const groups: string[] = [];
  for (let index = 0; index < chars.length; index += GROUP_CHARS)
    groups.push(chars.slice(index, index + GROUP_CHARS));
  return groups.join('-');
}

/** Base32 of bytes whose bit length is a multiple of 5 (no padding needed). */
function toBase32(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const byte of bytes) {
    acc = ((acc << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(acc >> bits) & 31]!;
    }
  }
  return out;
}
