/**
 * FINGERPRINT — RFC 8489 §14.7: CRC-32 of the message XOR 0x5354554e. Computing and checking it
 * needs the whole message; see `stun-integrity.ts`. This codec handles the 32-bit value.
 */
import { uint32Codec } from './attribute-codec.js';
import { ATTR_FINGERPRINT } from '../stun-message.js';

export const fingerprint = uint32Codec(ATTR_FINGERPRINT, 'FINGERPRINT');
