/**
 * The shape shared by every STUN attribute codec (RFC 8489 §14): a type number and a pair of pure
 * functions between the attribute value bytes and a typed value. Decoding untrusted bytes returns
 * a typed failure instead of throwing.
 */

/** A decoded value, or why the bytes are not one. */
export type Decoded<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** A codec for one attribute type. `transactionId` is needed by the XOR address attributes. */
export interface AttributeCodec<T> {
  readonly type: number;
  readonly name: string;
  encode(value: T, transactionId: Uint8Array): Uint8Array;
  decode(bytes: Uint8Array, transactionId: Uint8Array): Decoded<T>;
}

/** A successful decode. */
export function ok<T>(value: T): Decoded<T> {
  return { ok: true, value };
}

/** A failed decode. */
export function fail<T = never>(reason: string): Decoded<T> {
  return { ok: false, reason };
}

const encoder = new TextEncoder();
// ignoreBOM: a leading U+FEFF is part of the value (the default strips it, so two byte strings
// decoded to one value and a value re-encoded to other bytes than were sent; found by fuzzing).
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A UTF-8 text attribute with a byte limit (USERNAME, REALM, NONCE, SOFTWARE). */
export function utf8Codec(type: number, name: string, maxBytes: number): AttributeCodec<string> {
  return {
    type,
    name,
    encode(value) {
      const bytes = encoder.encode(value);
      if (bytes.length > maxBytes) throw new RangeError(`${name} longer than ${maxBytes} bytes`);
      return bytes;
    },
    decode(bytes) {
      if (bytes.length > maxBytes) return fail(`${name} longer than ${maxBytes} bytes`);
      try {
        return ok(decoder.decode(bytes));
      } catch {
        return fail(`${name} is not UTF-8`);
      }
    },
  };
}

/** A 32-bit unsigned integer attribute (LIFETIME). */
export function uint32Codec(type: number, name: string): AttributeCodec<number> {
  return {
    type,
    name,
    encode(value) {
      const out = new Uint8Array(4);
      new DataView(out.buffer).setUint32(0, value);
      return out;
    },
    decode(bytes) {
      if (bytes.length !== 4) return fail(`${name} is not 4 bytes`);
      return ok(new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0));
    },
  };
}

/** An attribute whose presence is its meaning and whose value is empty (DONT-FRAGMENT). */
export function flagCodec(type: number, name: string): AttributeCodec<true> {
  return {
    type,
    name,
    encode: () => new Uint8Array(0),
    decode: (bytes) => (bytes.length === 0 ? ok(true as const) : fail(`${name} is not empty`)),
  };
}
