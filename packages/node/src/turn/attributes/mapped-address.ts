/**
 * MAPPED-ADDRESS — RFC 8489 §14.1: the reflexive address without the XOR, kept in Binding
 * responses for RFC 3489-era clients.
 */
import { decodeAddress, encodeAddress } from './xor-address.js';
import type { TransportAddress } from '../ip-address.js';
import type { AttributeCodec } from './attribute-codec.js';

export const mappedAddress: AttributeCodec<TransportAddress> = {
  type: 0x0001,
  name: 'MAPPED-ADDRESS',
  encode: (value, transactionId) => encodeAddress(value, transactionId, false),
  decode: (bytes, transactionId) => decodeAddress(bytes, transactionId, false),
};
