/**
 * EVEN-PORT — RFC 8656 §18.6: one byte whose top bit (R) asks the server to also reserve the next
 * port. The relayed port must be even; this server never reserves, so R is read but not honoured
 * beyond the even port itself.
 */
import { fail, ok, type AttributeCodec } from './attribute-codec.js';

/** The decoded EVEN-PORT flags. */
export interface EvenPortValue {
  readonly reserveNext: boolean;
}

export const evenPort: AttributeCodec<EvenPortValue> = {
  type: 0x0018,
  name: 'EVEN-PORT',
  encode(value) {
    return Uint8Array.of(value.reserveNext ? 0x80 : 0);
  },
  decode(bytes) {
    if (bytes.length !== 1) return fail('EVEN-PORT is not 1 byte');
    return ok({ reserveNext: ((bytes[0] ?? 0) & 0x80) !== 0 });
  },
};
