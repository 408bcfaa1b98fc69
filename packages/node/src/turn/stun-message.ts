/**
 * STUN message framing (RFC 8489 §5 header, §14 attribute TLVs). Pure functions over bytes: a
 * parse either yields a typed message or a typed failure, never an exception.
 */

/** RFC 8489 §5: the fixed magic cookie in every STUN header. */
export const MAGIC_COOKIE = 0x2112a442;
/** RFC 8489 §5: the header is 20 bytes. */
export const HEADER_LENGTH = 20;

/** RFC 8489 §5 message classes (C1 C0 bits). */
export type StunClass = 'request' | 'indication' | 'success' | 'error';

const CLASS_BITS: Record<StunClass, number> = {
  request: 0b00,
  indication: 0b01,
  success: 0b10,
  error: 0b11,
};
const CLASS_BY_BITS: readonly StunClass[] = ['request', 'indication', 'success', 'error'];

/** Methods this server knows: RFC 8489 §18.2 (Binding) and RFC 8656 §17 (TURN). */
export const StunMethod = {
  binding: 0x001,
  allocate: 0x003,
  refresh: 0x004,
  send: 0x006,
  data: 0x007,
  createPermission: 0x008,
  channelBind: 0x009,
} as const;
export type StunMethodName = keyof typeof StunMethod;

/** One attribute as it sits in a message: its type, its value and where its header starts. */
export interface RawAttribute {
  readonly type: number;
  readonly value: Uint8Array;
  /** Offset of the attribute's 4-byte header inside the message. */
  readonly offset: number;
}

/** A framed STUN message. Attribute values are views into `raw`. */
export interface StunMessage {
  readonly method: number;
  readonly cls: StunClass;
  readonly transactionId: Uint8Array;
  /** Attributes up to and including MESSAGE-INTEGRITY and FINGERPRINT (later ones are ignored). */
  readonly attributes: readonly RawAttribute[];
  readonly raw: Uint8Array;
}

/** The outcome of framing untrusted bytes. */
export type StunParse =
  | { readonly ok: true; readonly message: StunMessage }
  | { readonly ok: false; readonly reason: string };

/** An attribute to encode: a type and its (unpadded) value. */
export interface AttributeInput {
  readonly type: number;
  readonly value: Uint8Array;
}

/** What to encode. `transactionId` is 12 bytes. */
export interface StunMessageInput {
  readonly method: number;
  readonly cls: StunClass;
  readonly transactionId: Uint8Array;
  readonly attributes: readonly AttributeInput[];
}

export const ATTR_MESSAGE_INTEGRITY = 0x0008;
export const ATTR_MESSAGE_INTEGRITY_SHA256 = 0x001c;
export const ATTR_FINGERPRINT = 0x8028;

/** RFC 8489 §5: the 14-bit type interleaves method bits M0–M11 with class bits C0 and C1. */
export function encodeMessageType(method: number, cls: StunClass): number {
  const c = CLASS_BITS[cls];
  return (
    (method & 0x000f) |
    ((method & 0x0070) << 1) |
    ((method & 0x0f80) << 2) |
    ((c & 1) << 4) |
    ((c & 2) << 7)
  );
}

/** Inverse of {@link encodeMessageType}. */
export function decodeMessageType(type: number): { method: number; cls: StunClass } {
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const c = ((type >> 4) & 1) | ((type >> 7) & 2);
  return { method, cls: CLASS_BY_BITS[c] ?? 'request' };
}

/** Value length rounded up to the 4-byte boundary (RFC 8489 §14). */
export function padded(length: number): number {
  return (length + 3) & ~3;
}

/** True when the first byte can begin a STUN message (RFC 7983 §7: 0–3). */
export function looksLikeStun(bytes: Uint8Array): boolean {
  return bytes.length >= HEADER_LENGTH && (bytes[0] ?? 0xff) < 4;
}

/**
 * Frames a STUN message. The length field must match the bytes exactly (one message per UDP
 * datagram; TCP framing cuts exactly one message). Per RFC 8489 §14.5 and §14.7 attributes after
 * MESSAGE-INTEGRITY other than FINGERPRINT are ignored, and nothing may follow FINGERPRINT.
 */
export function parseStunMessage(bytes: Uint8Array): StunParse {
  if (bytes.length < HEADER_LENGTH) return { ok: false, reason: 'shorter than a STUN header' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = view.getUint16(0);
  if ((type & 0xc000) !== 0) return { ok: false, reason: 'top two bits are not zero' };
  const length = view.getUint16(2);
  if (length % 4 !== 0) return { ok: false, reason: 'length is not a multiple of 4' };
  if (length + HEADER_LENGTH !== bytes.length)
    return { ok: false, reason: 'length does not match the datagram' };
  if (view.getUint32(4) !== MAGIC_COOKIE) return { ok: false, reason: 'no magic cookie' };
  const { method, cls } = decodeMessageType(type);
  const attributes: RawAttribute[] = [];
  let offset = HEADER_LENGTH;
  let sawIntegrity = false;
  while (offset < bytes.length) {
    if (offset + 4 > bytes.length) return { ok: false, reason: 'truncated attribute header' };
    const attrType = view.getUint16(offset);
    const attrLength = view.getUint16(offset + 2);
    const end = offset + 4 + attrLength;
    if (end > bytes.length) return { ok: false, reason: 'attribute runs past the message' };
    const attribute = { type: attrType, value: bytes.subarray(offset + 4, end), offset };
    if (attrType === ATTR_FINGERPRINT) {
      if (offset + 4 + padded(attrLength) !== bytes.length) {
        return { ok: false, reason: 'FINGERPRINT is not the last attribute' };
      }
      attributes.push(attribute);
    } else if (!sawIntegrity || attrType === ATTR_MESSAGE_INTEGRITY_SHA256) {
      attributes.push(attribute);
    }
    if (attrType === ATTR_MESSAGE_INTEGRITY) sawIntegrity = true;
    offset += 4 + padded(attrLength);
  }
  if (offset !== bytes.length)
    return { ok: false, reason: 'attribute padding runs past the message' };
  return {
    ok: true,
    message: { method, cls, transactionId: bytes.subarray(8, 20), attributes, raw: bytes },
  };
}

/** The first attribute of `type`, if any (RFC 8489 §14: only the first of a duplicate counts). */
export function findAttribute(message: StunMessage, type: number): RawAttribute | undefined {
  for (const attribute of message.attributes) if (attribute.type === type) return attribute;
  return undefined;
}

/** Encodes a message with zero padding; its length field covers every attribute given. */
export function encodeStunMessage(input: StunMessageInput): Uint8Array {
  let length = 0;
  for (const attribute of input.attributes) length += 4 + padded(attribute.value.length);
  const out = new Uint8Array(HEADER_LENGTH + length);
  const view = new DataView(out.buffer);
  view.setUint16(0, encodeMessageType(input.method, input.cls));
  view.setUint16(2, length);
  view.setUint32(4, MAGIC_COOKIE);
  out.set(input.transactionId.subarray(0, 12), 8);
  let offset = HEADER_LENGTH;
  for (const attribute of input.attributes) {
    view.setUint16(offset, attribute.type);
    view.setUint16(offset + 2, attribute.value.length);
    out.set(attribute.value, offset + 4);
    offset += 4 + padded(attribute.value.length);
  }
  return out;
}
