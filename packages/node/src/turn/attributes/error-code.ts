/**
 * ERROR-CODE — RFC 8489 §14.8: 21 reserved bits, the hundreds digit (class, 3–6) in 3 bits, the
 * rest (0–99) in 8 bits, then a UTF-8 reason phrase of fewer than 128 characters.
 */
import { fail, ok, type AttributeCodec } from './attribute-codec.js';

/** A STUN error code (300–699) and its reason phrase. */
export interface ErrorCodeValue {
  readonly code: number;
  readonly reason: string;
}

const encoder = new TextEncoder();
/** Keeps a leading U+FEFF (see attribute-codec.ts). */
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export const errorCode: AttributeCodec<ErrorCodeValue> = {
  type: 0x0009,
  name: 'ERROR-CODE',
  encode(value) {
    if (!Number.isInteger(value.code) || value.code < 300 || value.code > 699) {
      throw new RangeError(`ERROR-CODE out of range: ${value.code}`);
    }
    const reason = encoder.encode(value.reason);
    if (reason.length > 763) throw new RangeError('ERROR-CODE reason too long');
    const out = new Uint8Array(4 + reason.length);
    out[2] = Math.floor(value.code / 100);
    out[3] = value.code % 100;
    out.set(reason, 4);
    return out;
  },
  decode(bytes) {
    if (bytes.length < 4) return fail('ERROR-CODE shorter than 4 bytes');
    if (bytes.length > 4 + 763) return fail('ERROR-CODE reason too long');
    const hundreds = (bytes[2] ?? 0) & 0x07;
    const rest = bytes[3] ?? 0;
    if (hundreds < 3 || hundreds > 6 || rest > 99) return fail('ERROR-CODE out of range');
    try {
      return ok({ code: hundreds * 100 + rest, reason: decoder.decode(bytes.subarray(4)) });
    } catch {
      return fail('ERROR-CODE reason is not UTF-8');
    }
  },
};
