import { toBase64url } from '@sigmesh/protocol';
import type { InboxSigner } from '../../src/index.js';

/** A throwaway ed25519 key (WebCrypto) that signs as a person in tests. */
export async function testSigner(): Promise<InboxSigner> {
  const pair = await crypto.subtle.generateKey('Ed25519', false, ['sign', 'verify']);
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  return {
    publicKey: toBase64url(raw),
    sign: async (bytes) =>
      new Uint8Array(
        await crypto.subtle.sign('Ed25519', pair.privateKey, bytes as Uint8Array<ArrayBuffer>),
      ),
  };
}

/** A signer that claims `claimed`'s key but signs with its own (a forger). */
export function forger(claimed: InboxSigner, own: InboxSigner): InboxSigner {
  return { publicKey: claimed.publicKey, sign: (bytes) => own.sign(bytes) };
}
