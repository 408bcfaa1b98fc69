/** SOFTWARE — RFC 8489 §14.14: a description of the agent, fewer than 128 characters. */
import { utf8Codec } from './attribute-codec.js';

export const software = utf8Codec(0x8022, 'SOFTWARE', 763);
