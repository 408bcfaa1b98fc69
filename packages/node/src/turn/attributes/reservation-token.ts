/**
 * RESERVATION-TOKEN — RFC 8656 §18.9: 8 bytes naming a port reserved by an earlier EVEN-PORT.
 * This server keeps no reservations, so any token is answered 508.
 */
import { fail, ok, type AttributeCodec } from './attribute-codec.js';

export const reservationToken: AttributeCodec<Uint8Array> = {
  type: 0x0022,
  name: 'RESERVATION-TOKEN',
  encode: (value) => value.slice(),
  decode: (bytes) =>
    bytes.length === 8 ? ok(bytes.slice()) : fail('RESERVATION-TOKEN is not 8 bytes'),
};
