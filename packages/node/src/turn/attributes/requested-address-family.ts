/**
 * REQUESTED-ADDRESS-FAMILY — RFC 8656 §18.10: which family the relayed address should have,
 * 0x01 (IPv4) or 0x02 (IPv6), then 24 reserved bits.
 */
import { fail, ok, type AttributeCodec } from './attribute-codec.js';

export const requestedAddressFamily: AttributeCodec<4 | 6> = {
  type: 0x0017,
  name: 'REQUESTED-ADDRESS-FAMILY',
  encode(value) {
    return Uint8Array.of(value === 4 ? 0x01 : 0x02, 0, 0, 0);
  },
  decode(bytes) {
    if (bytes.length !== 4) return fail('REQUESTED-ADDRESS-FAMILY is not 4 bytes');
    if (bytes[0] === 0x01) return ok(4);
    if (bytes[0] === 0x02) return ok(6);
    return fail('REQUESTED-ADDRESS-FAMILY names an unknown family');
  },
};
