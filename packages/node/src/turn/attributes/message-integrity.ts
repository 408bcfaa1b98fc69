/**
 * MESSAGE-INTEGRITY — RFC 8489 §14.5: a 20-byte HMAC-SHA1. Computing and checking it needs the
 * whole message; see `stun-integrity.ts`. This codec only checks the value's shape.
 */
import { fail, ok, type AttributeCodec } from './attribute-codec.js';
import { ATTR_MESSAGE_INTEGRITY } from '../stun-message.js';

export const messageIntegrity: AttributeCodec<Uint8Array> = {
  type: ATTR_MESSAGE_INTEGRITY,
  name: 'MESSAGE-INTEGRITY',
  encode: (value) => value.slice(),
  decode: (bytes) =>
    bytes.length === 20 ? ok(bytes.slice()) : fail('MESSAGE-INTEGRITY is not 20 bytes'),
};
