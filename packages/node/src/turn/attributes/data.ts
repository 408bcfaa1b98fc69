/** DATA — RFC 8656 §18.4: the application payload of a Send or Data indication. */
import { ok, type AttributeCodec } from './attribute-codec.js';

export const data: AttributeCodec<Uint8Array> = {
  type: 0x0013,
  name: 'DATA',
  encode: (value) => value,
  decode: (bytes) => ok(bytes),
};
