/** USERNAME — RFC 8489 §14.3: UTF-8, fewer than 509 bytes. */
import { utf8Codec } from './attribute-codec.js';

export const username = utf8Codec(0x0006, 'USERNAME', 508);
