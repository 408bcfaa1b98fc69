/** XOR-MAPPED-ADDRESS — RFC 8489 §14.2: the client's reflexive transport address, as the server saw it. */
import { xorAddressCodec } from './xor-address.js';

export const xorMappedAddress = xorAddressCodec(0x0020, 'XOR-MAPPED-ADDRESS');
