/**
 * UNKNOWN-ATTRIBUTES — RFC 8489 §14.13: the comprehension-required attribute types a 420 error
 * response refuses, as a list of 16-bit values.
 */
import { fail, ok, type AttributeCodec } from './attribute-codec.js';

export const unknownAttributes: AttributeCodec<readonly number[]> = {
  type: 0x000a,
  name: 'UNKNOWN-ATTRIBUTES',
  encode(value) {
    const out = new Uint8Array(value.length * 2);
    const view = new DataView(out.buffer);
    value.forEach((type, i) => view.setUint16(i * 2, type));
    return out;
  },
  decode(bytes) {
    if (bytes.length % 2 !== 0) return fail('UNKNOWN-ATTRIBUTES has an odd length');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const types: number[] = [];
    for (let i = 0; i < bytes.length; i += 2) types.push(view.getUint16(i));
    return ok(types);
  },
};
