/**
 * CHANNEL-NUMBER — RFC 8656 §18.1: a 16-bit channel number and 16 reserved bits. Valid channel
 * numbers are 0x4000–0x4FFF (§12); the range is checked by ChannelBind, not here.
 */
import { fail, ok, type AttributeCodec } from './attribute-codec.js';

export const channelNumber: AttributeCodec<number> = {
  type: 0x000c,
  name: 'CHANNEL-NUMBER',
  encode(value) {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint16(0, value);
    return out;
  },
  decode(bytes) {
    if (bytes.length !== 4) return fail('CHANNEL-NUMBER is not 4 bytes');
    return ok(new DataView(bytes.buffer, bytes.byteOffset, 4).getUint16(0));
  },
};
