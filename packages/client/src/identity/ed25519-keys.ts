import { fromBase64url, sigmeshError } from '@sigmesh/protocol';
import { asBufferSource } from '../signaling/encode.js';

/** Ed25519 through WebCrypto (RFC 8032; Secure Curves in WebCrypto). */
export const ED25519 = { name: 'Ed25519' } as const;
/** Bytes of a raw Ed25519 public key and of a signature. */
export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;

/** An Ed25519 key pair as WebCrypto holds it. */
export interface Ed25519KeyPair {
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
}

/**
 * A fresh key pair. Only the private key's extractability is chosen: WebCrypto public keys are
 * always extractable. Throws IDENTITY_UNSUPPORTED where WebCrypto has no Ed25519.
 */
export async function generateEd25519(extractable: boolean): Promise<Ed25519KeyPair> {
  try {
    return await crypto.subtle.generateKey(ED25519, extractable, ['sign', 'verify']);
  } catch (error) {
    throw unsupported(error);
  }
}

/** The raw 32 bytes of a public key. */
export async function rawPublicKey(publicKey: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.exportKey('raw', publicKey));
}

/** The PKCS#8 bytes of an extractable private key (RFC 8410 §7). */
export async function pkcs8Of(privateKey: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.exportKey('pkcs8', privateKey));
}

/**
 * The key pair a PKCS#8 private key makes, its public key derived from it (PKCS#8 v1 does not
 * carry it, so the key is read once as extractable JWK, whose `x` is the public key). Undefined
 * when the bytes are not an Ed25519 private key.
 */
export async function importEd25519(
  pkcs8: Uint8Array,
  extractable: boolean,
): Promise<Ed25519KeyPair | undefined> {
  let jwk: JsonWebKey;
  try {
    const readable = await crypto.subtle.importKey('pkcs8', asBufferSource(pkcs8), ED25519, true, [
      'sign',
    ]);
    jwk = await crypto.subtle.exportKey('jwk', readable);
  } catch (error) {
    if (isNotSupported(error)) throw unsupported(error);
    return undefined;
  }
  const raw = jwk.x === undefined ? undefined : fromBase64url(jwk.x);
  if (raw?.length !== ED25519_PUBLIC_KEY_BYTES) return undefined;
  const [privateKey, publicKey] = await Promise.all([
    crypto.subtle.importKey('pkcs8', asBufferSource(pkcs8), ED25519, extractable, ['sign']),
    importEd25519PublicKey(raw),
  ]);
  return { privateKey, publicKey };
}

/** A raw public key as a CryptoKey for `verify`; throws on a wrong length or a bad point. */
export function importEd25519PublicKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', asBufferSource(raw), ED25519, true, ['verify']);
}

/** True for a pair WebCrypto calls Ed25519, with the usages an identity needs. */
export function isEd25519Pair(value: {
  readonly privateKey?: unknown;
  readonly publicKey?: unknown;
}): value is Ed25519KeyPair {
  const { privateKey, publicKey } = value;
  return (
    isCryptoKey(privateKey) &&
    isCryptoKey(publicKey) &&
    privateKey.type === 'private' &&
    publicKey.type === 'public' &&
    privateKey.algorithm.name === ED25519.name &&
    publicKey.algorithm.name === ED25519.name &&
    privateKey.usages.includes('sign')
  );
}

function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof CryptoKey === 'function' && value instanceof CryptoKey;
}

function isNotSupported(error: unknown): boolean {
  return (error as { name?: unknown } | undefined)?.name === 'NotSupportedError';
}

function unsupported(cause: unknown): Error {
  if (!isNotSupported(cause)) return cause as Error;
  return sigmeshError(
    'IDENTITY_UNSUPPORTED',
    'this WebCrypto has no Ed25519 (Secure Curves): a lasting identity needs a newer browser',
    { cause },
  );
}
