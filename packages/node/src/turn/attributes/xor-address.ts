/**
 * The X-Port / X-Address transform shared by XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS and
 * XOR-RELAYED-ADDRESS (RFC 8489 §14.2): the port is XORed with the top 16 bits of the magic
 * cookie, an IPv4 address with the cookie, an IPv6 address with cookie ‖ transaction id.
 */
import { MAGIC_COOKIE } from '../stun-message.js';
import { formatIp, parseIp, type TransportAddress } from '../ip-address.js';
import { fail, ok, type AttributeCodec, type Decoded } from './attribute-codec.js';

const FAMILY_IPV4 = 0x01;
const FAMILY_IPV6 = 0x02;

function xorMask(transactionId: Uint8Array): Uint8Array {
  const mask = new Uint8Array(16);
  new DataView(mask.buffer).setUint32(0, MAGIC_COOKIE);
  mask.set(transactionId.subarray(0, 12), 4);
  return mask;
}

/** Encodes an address attribute value, XORed when `xor` is set (RFC 8489 §14.1, §14.2). */
export function encodeAddress(
  value: TransportAddress,
  transactionId: Uint8Array,
  xor: boolean,
): Uint8Array {
  const ip = parseIp(value.address);
  if (ip === undefined) throw new RangeError(`not an IP address: ${value.address}`);
  const out = new Uint8Array(4 + ip.length);
  const view = new DataView(out.buffer);
  view.setUint8(1, ip.length === 4 ? FAMILY_IPV4 : FAMILY_IPV6);
  view.setUint16(2, xor ? value.port ^ (MAGIC_COOKIE >>> 16) : value.port);
  const mask = xorMask(transactionId);
  for (let i = 0; i < ip.length; i++) out[4 + i] = (ip[i] ?? 0) ^ (xor ? (mask[i] ?? 0) : 0);
  return out;
}

/** Decodes an address attribute value; unknown families and wrong lengths are failures. */
export function decodeAddress(
  bytes: Uint8Array,
  transactionId: Uint8Array,
  xor: boolean,
): Decoded<TransportAddress> {
  if (bytes.length < 4) return fail('address attribute shorter than 4 bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const family = view.getUint8(1);
  const size = family === FAMILY_IPV4 ? 4 : family === FAMILY_IPV6 ? 16 : 0;
  if (size === 0) return fail(`unknown address family ${family}`);
  if (bytes.length !== 4 + size) return fail('address attribute has the wrong length');
  const port = xor ? view.getUint16(2) ^ (MAGIC_COOKIE >>> 16) : view.getUint16(2);
  const mask = xorMask(transactionId);
  const ip = new Uint8Array(size);
  for (let i = 0; i < size; i++) ip[i] = (bytes[4 + i] ?? 0) ^ (xor ? (mask[i] ?? 0) : 0);
  return ok({ family: size === 4 ? 4 : 6, address: formatIp(ip), port });
}

/** A codec for one XOR address attribute type. */
export function xorAddressCodec(type: number, name: string): AttributeCodec<TransportAddress> {
  return {
    type,
    name,
    encode: (value, transactionId) => encodeAddress(value, transactionId, true),
    decode: (bytes, transactionId) => decodeAddress(bytes, transactionId, true),
  };
}
