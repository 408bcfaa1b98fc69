/** LIFETIME — RFC 8656 §18.2: seconds until the allocation expires, unsigned 32-bit. */
import { uint32Codec } from './attribute-codec.js';

export const lifetime = uint32Codec(0x000d, 'LIFETIME');
