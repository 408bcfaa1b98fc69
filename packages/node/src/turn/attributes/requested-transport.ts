/**
 * REQUESTED-TRANSPORT — RFC 8656 §18.7: the IP protocol number of the relayed transport (17 for
 * UDP, the only one RFC 8656 defines) and 24 reserved bits.
 */
import { fail, ok, type AttributeCodec } from './attribute-codec.js';

/** IANA protocol number of UDP. */
export const PROTOCOL_UDP = 17;

export const requestedTransport: AttributeCodec<number> = {
  type: 0x0019,
  name: 'REQUESTED-TRANSPORT',
  encode(value) {
    return Uint8Array.of(value, 0, 0, 0);
  },
  decode(bytes) {
    if (bytes.length !== 4) return fail('REQUESTED-TRANSPORT is not 4 bytes');
    return ok(bytes[0] ?? 0);
  },
};
