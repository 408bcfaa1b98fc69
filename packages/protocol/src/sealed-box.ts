import { fromBase64url, toBase64url } from './encoding.js';

// The box of a sealed room payload (format 2): what the client library posts in a room with a
// password. Layout, base64url-encoded:
//
//   sentAt 8 (ms since the Unix epoch, big-endian, by the sender's clock) ‖ IV 12 ‖ ciphertext ‖ tag 16
//
// `sentAt` travels in clear and is bound by the additional data ({@link sealedPayloadAad}); the IV
// is random per box and bound by the tag itself (AES-GCM derives the tag's mask from it, NIST SP
// 800-38D §7.1), so it names the box: a receiver remembers the IVs it opened within its replay
// window and refuses a box sent outside it. Format 1 (IV ‖ ciphertext ‖ tag, no send time) could
// be replayed under a new message id and is refused.

/** The sealed-payload format this library writes and reads (the payload's `v`). */
export const SEALED_FORMAT = 2;
/** Bytes before the ciphertext: sentAt 8, IV 12. */
export const SEALED_HEADER_BYTES = 20;
/** The shortest box: a header and a tag around an empty ciphertext. */
export const SEALED_MIN_BYTES = SEALED_HEADER_BYTES + 16;

/** A sealed box taken apart. */
export interface SealedBox {
  /** When the sender sealed it, in ms since the Unix epoch by its clock. */
  readonly sentAt: number;
  /** The AES-GCM IV: 12 random bytes, unique per box. */
  readonly iv: Uint8Array;
  /** Ciphertext followed by the 16-byte tag. */
  readonly sealed: Uint8Array;
}

/** Takes a box apart; undefined when it is not base64url, too short, or its time is not an integer. */
export function readSealedBox(box: string): SealedBox | undefined {
  const bytes = fromBase64url(box);
  if (bytes === undefined || bytes.length < SEALED_MIN_BYTES) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sentAt = view.getUint32(0) * 2 ** 32 + view.getUint32(4);
  if (!Number.isSafeInteger(sentAt)) return undefined;
  return {
    sentAt,
    iv: bytes.subarray(8, SEALED_HEADER_BYTES),
    sealed: bytes.subarray(SEALED_HEADER_BYTES),
  };
}

/** Puts a box together (the inverse of {@link readSealedBox}). */
export function writeSealedBox(box: SealedBox): string {
  if (!Number.isSafeInteger(box.sentAt) || box.sentAt < 0 || box.iv.length !== 12)
    throw new RangeError('a sealed box needs an integer send time ≥ 0 and a 12-byte IV');
  const bytes = new Uint8Array(SEALED_HEADER_BYTES + box.sealed.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, Math.floor(box.sentAt / 2 ** 32));
  view.setUint32(4, box.sentAt % 2 ** 32);
  bytes.set(box.iv, 8);
  bytes.set(box.sealed, SEALED_HEADER_BYTES);
  return toBase64url(bytes);
}

/**
 * The additional authenticated data of a sealed payload: the room, the sender's member id, the
 * addressee's (or `*` for a broadcast) and the send time. A node that changes `from`, `to` or the
 * time breaks the tag.
 */
export function sealedPayloadAad(
  room: string,
  from: string,
  to: string | undefined,
  sentAt: number,
): string {
  return `sigmesh-e2e:v2\n${room}\n${from}\n${to ?? '*'}\n${sentAt}`;
}
