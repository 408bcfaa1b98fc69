/** XOR-PEER-ADDRESS — RFC 8656 §18.3: a peer's address as seen from the relay (in CreatePermission, ChannelBind, Send, Data). */
import { xorAddressCodec } from './xor-address.js';

export const xorPeerAddress = xorAddressCodec(0x0012, 'XOR-PEER-ADDRESS');
