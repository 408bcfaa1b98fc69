/** Typed reads of attributes from a framed message, through their codecs. */
import type { AttributeCodec, Decoded } from './attributes/attribute-codec.js';
import type { StunMessage } from './stun-message.js';

/** The first attribute of the codec's type decoded; `undefined` when absent. */
export function readAttribute<T>(
  message: StunMessage,
  codec: AttributeCodec<T>,
): Decoded<T> | undefined {
  for (const attribute of message.attributes) {
    if (attribute.type === codec.type) return codec.decode(attribute.value, message.transactionId);
  }
  return undefined;
}

/** Every attribute of the codec's type, decoded in order. */
export function readAllAttributes<T>(message: StunMessage, codec: AttributeCodec<T>): Decoded<T>[] {
  const out: Decoded<T>[] = [];
  for (const attribute of message.attributes) {
    if (attribute.type === codec.type)
      out.push(codec.decode(attribute.value, message.transactionId));
  }
  return out;
}

/** An attribute input ready for encoding. */
export function attr<T>(
  codec: AttributeCodec<T>,
  value: T,
  transactionId: Uint8Array,
): { type: number; value: Uint8Array } {
  return { type: codec.type, value: codec.encode(value, transactionId) };
}
