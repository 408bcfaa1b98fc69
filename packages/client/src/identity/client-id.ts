import { toHex, type ClientId } from '@sigmesh/protocol';
import { asBufferSource } from '../signaling/encode.js';

/**
 * The client id a public key names: hex of the first 16 bytes of SHA-256 of its raw bytes. One
 * derivation for the P-256 keys made per join and for lasting Ed25519 identities, so ids are one
 * format everywhere.
 */
export async function clientIdOf(rawPublicKey: Uint8Array): Promise<ClientId> {
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-256', asBufferSource(rawPublicKey)),
  );
  return toHex(digest.subarray(0, 16)) as ClientId;
}
