/**
 * ChannelData framing (RFC 8656 §12.4): a 2-byte channel number (0x4000–0x4FFF), a 2-byte
 * length and the application data. Over TCP each frame is padded to a multiple of 4 bytes
 * (§12.5); over UDP padding is optional and ignored.
 */

/**
 * The channel numbers a client may bind. RFC 8656 §12 narrowed the range to 0x4000–0x4FFF, but
 * RFC 5766 clients (coturn's turnutils, older pion) still pick up to 0x7FFF, and coturn and pion
 * accept them; so do we. Nothing else is multiplexed on the TURN port, so the wider first-byte
 * range (64–127) stays unambiguous.
 */
export const MIN_CHANNEL = 0x4000;
export const MAX_CHANNEL = 0x7fff;

/** A decoded ChannelData frame; `data` is a view into the input. */
export interface ChannelDataFrame {
  readonly channel: number;
  readonly data: Uint8Array;
}

/** True when the first byte can begin a ChannelData frame (64–127, see {@link MAX_CHANNEL}). */
export function looksLikeChannelData(bytes: Uint8Array): boolean {
  const first = bytes[0] ?? 0;
  return bytes.length >= 4 && first >= 0x40 && first <= 0x7f;
}

/** Parses a ChannelData frame; `undefined` when the length field runs past the bytes. */
export function parseChannelData(bytes: Uint8Array): ChannelDataFrame | undefined {
  if (bytes.length < 4) return undefined;
  const channel = ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0);
  const length = ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0);
  if (channel < MIN_CHANNEL || channel > MAX_CHANNEL || 4 + length > bytes.length) return undefined;
  return { channel, data: bytes.subarray(4, 4 + length) };
}

/** Encodes a ChannelData frame, padded to 4 bytes when `pad` (TCP) is set. */
export function encodeChannelData(channel: number, data: Uint8Array, pad: boolean): Uint8Array {
  const size = 4 + data.length;
  const out = new Uint8Array(pad ? (size + 3) & ~3 : size);
  out[0] = channel >> 8;
  out[1] = channel & 0xff;
  out[2] = data.length >> 8;
  out[3] = data.length & 0xff;
  out.set(data, 4);
  return out;
}
