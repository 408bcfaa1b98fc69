/**
 * ALTERNATE-SERVER — RFC 8489 §14.15: where a 300 (Try Alternate) sends the client; encoded
 * like MAPPED-ADDRESS (no XOR).
 */
import { decodeAddress, encodeAddress } from './xor-address.js';
import type { TransportAddress } from '../ip-address.js';
import type { AttributeCodec } from './attribute-codec.js';

export const alternateServer: AttributeCodec<TransportAddress> = {
  type: 0x8023,
  name: 'ALTERNATE-SERVER',
  encode: (value, transactionId) => encodeAddress(value, transactionId, false),
  decode: (bytes, transactionId) => decodeAddress(bytes, transactionId, false),
};
