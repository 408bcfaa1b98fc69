import { fromBase64url, isSmallOrderEd25519Key } from '@sigmesh/protocol';
import { asBufferSource } from '../signaling/encode.js';
import {
  ED25519,
  ED25519_PUBLIC_KEY_BYTES,
  ED25519_SIGNATURE_BYTES,
  importEd25519PublicKey,
} from './ed25519-keys.js';

/**
 * True when `signature` is the Ed25519 signature (RFC 8032) of `bytes` by the identity whose
 * public key is `publicKey` (raw, base64url: {@link Identity.publicKey}). False, never a throw,
 * for a key or signature that is malformed, of the wrong length or not a valid point, and for a
 * key of small order, under which anyone can sign ({@link isSmallOrderEd25519Key}).
 */
export async function verifySignature(
  publicKey: string,
  bytes: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  if (typeof publicKey !== 'string' || !(signature instanceof Uint8Array)) return false;
  const raw = fromBase64url(publicKey);
  if (raw?.length !== ED25519_PUBLIC_KEY_BYTES || signature.length !== ED25519_SIGNATURE_BYTES)
    return false;
  if (isSmallOrderEd25519Key(raw)) return false;
  try {
    const key = await importEd25519PublicKey(raw);
    return await crypto.subtle.verify(
      ED25519,
      key,
      asBufferSource(signature),
      asBufferSource(bytes),
    );
  } catch {
    return false; // Not a point on the curve, or no Ed25519 here.
  }
}
