/** REALM — RFC 8489 §14.9: fewer than 128 characters (at most 763 bytes of UTF-8). */
import { utf8Codec } from './attribute-codec.js';

export const realm = utf8Codec(0x0014, 'REALM', 763);
