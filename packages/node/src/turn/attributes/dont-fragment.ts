/**
 * DONT-FRAGMENT — RFC 8656 §18.8: asks for the DF bit on relayed datagrams. Node cannot set it,
 * so per RFC 8656 §7.2 an Allocate carrying it is answered 420 (as an unknown attribute).
 */
import { flagCodec } from './attribute-codec.js';

export const dontFragment = flagCodec(0x001a, 'DONT-FRAGMENT');
