/** UTF-8 bytes of `text`, typed as WebCrypto wants them (an ArrayBuffer-backed view). */
export function encode(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(text);
}

/** The same bytes, typed for WebCrypto: sigmesh never hands it shared memory. */
export function asBufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>;
}
