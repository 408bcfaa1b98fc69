/** NONCE — RFC 8489 §14.10: fewer than 128 characters (at most 763 bytes). */
import { utf8Codec } from './attribute-codec.js';

export const nonce = utf8Codec(0x0015, 'NONCE', 763);
