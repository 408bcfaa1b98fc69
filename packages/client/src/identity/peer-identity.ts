import { fromBase64url, helloKeyAlgorithm } from '@sigmesh/protocol';
import { fingerprintOf } from './fingerprint.js';

/** The key a peer proved itself with in a room (its verified hello), for the app to recognize it. */
export interface PeerIdentity {
  /**
   * `'Ed25519'`: the peer joined with a lasting identity (`joinRoom({ identity })`), so the same
   * key and fingerprint mean the same person next time. `'P-256'`: a key its client made for this
   * join only; it says nothing about who the peer is.
   */
  readonly algorithm: 'Ed25519' | 'P-256';
  /** The raw public key, base64url (43 characters for Ed25519, 87 for P-256). */
  readonly publicKey: string;
  /** SHA-256 of the raw key as 6 groups of 4 base32 characters (see `Identity.fingerprint`). */
  readonly fingerprint: string;
}

/** The identity a verified hello's `key` names; undefined for a key that is not one. */
export async function peerIdentityOf(key: string): Promise<PeerIdentity | undefined> {
  const algorithm = helloKeyAlgorithm(key);
  const raw = fromBase64url(key);
  if (algorithm === undefined || raw === undefined) return undefined;
  return { algorithm, publicKey: key, fingerprint: await fingerprintOf(raw) };
}
