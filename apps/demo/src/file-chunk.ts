/**
 * One binary data-channel message of a file: a 4-byte big-endian transfer number, then up to
 * {@link CHUNK_BYTES} of the file. Chunks follow their `file-start` in order (the data channel
 * is reliable and ordered), so the offset is implicit.
 */
export interface FileChunk {
  readonly transfer: number;
  readonly payload: Uint8Array<ArrayBuffer>;
}

/** 16 KiB: the size every browser's data channel carries without fragmentation trouble. */
export const CHUNK_BYTES = 16 * 1024;
const HEADER_BYTES = 4;

export function encodeChunk(transfer: number, payload: Uint8Array): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(HEADER_BYTES + payload.byteLength);
  new DataView(bytes.buffer).setUint32(0, transfer);
  bytes.set(payload, HEADER_BYTES);
  return bytes;
}

/** Undefined for anything shorter than the header (not ours). The payload is a view, not a copy. */
export function decodeChunk(bytes: Uint8Array): FileChunk | undefined {
  if (bytes.byteLength < HEADER_BYTES) return undefined;
  const buffer = bytes.buffer as ArrayBuffer;
  return {
    transfer: new DataView(buffer, bytes.byteOffset, HEADER_BYTES).getUint32(0),
    payload: new Uint8Array(
      buffer,
      bytes.byteOffset + HEADER_BYTES,
      bytes.byteLength - HEADER_BYTES,
    ),
  };
}
