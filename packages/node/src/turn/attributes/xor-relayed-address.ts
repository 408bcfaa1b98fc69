/** XOR-RELAYED-ADDRESS — RFC 8656 §18.5: the relayed transport address the server allocated for the client. */
import { xorAddressCodec } from './xor-address.js';

export const xorRelayedAddress = xorAddressCodec(0x0016, 'XOR-RELAYED-ADDRESS');
