/**
 * Cuts a TCP byte stream into STUN messages and ChannelData frames (RFC 8656 §12.5: over TCP,
 * ChannelData is padded to 4 bytes; STUN lengths are always multiples of 4). Anything that is
 * neither on a frame boundary is a protocol violation and ends the connection.
 */
import { HEADER_LENGTH } from './stun-message.js';

/** The frames cut from a chunk, or `invalid` when the stream cannot be STUN/TURN. */
export type FramerOutput =
  { readonly ok: true; readonly frames: Uint8Array[] } | { readonly ok: false };

/** Accumulates chunks and yields whole frames. Buffers at most one frame (≤ 65 555 bytes). */
export class StreamFramer {
  private pending: Uint8Array = new Uint8Array(0);

  push(chunk: Uint8Array): FramerOutput {
    let data = chunk;
    if (this.pending.length > 0) {
      data = new Uint8Array(this.pending.length + chunk.length);
      data.set(this.pending);
      data.set(chunk, this.pending.length);
    }
    const frames: Uint8Array[] = [];
    let offset = 0;
    while (data.length - offset >= 4) {
      const first = data[offset] ?? 0;
      const length = ((data[offset + 2] ?? 0) << 8) | (data[offset + 3] ?? 0);
      let size: number;
      if (first < 4) size = HEADER_LENGTH + length;
      else if (first >= 0x40 && first <= 0x7f) size = (4 + length + 3) & ~3;
      else return { ok: false };
      if (data.length - offset < size) break;
      frames.push(data.subarray(offset, offset + size));
      offset += size;
    }
    this.pending = offset === data.length ? new Uint8Array(0) : data.slice(offset);
    return { ok: true, frames };
  }
}
