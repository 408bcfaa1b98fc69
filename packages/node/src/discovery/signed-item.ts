import {
  bep44Limits,
  bep44Signable,
  parseDhtPutRequest,
  type DhtMutableItem,
  type DhtPutRequest,
  type ParseResult,
} from '@sigmesh/protocol';
import type { Ed25519Signer } from './ed25519-keys.js';
import { verifyEd25519 } from '../identity/ed25519-verify.js';

/**
 * Validates a client-signed BEP 44 mutable item from untrusted JSON: form and sizes first (cheap),
 * then the ed25519 signature over `salt…seq…v…` (≈190 µs — callers check PoW before this).
 * Codes: DHT_ITEM_INVALID, DHT_VALUE_TOO_LARGE, DHT_SALT_TOO_LARGE, DHT_SIGNATURE_INVALID.
 */
export function validateSignedItem(body: unknown): ParseResult<DhtPutRequest> {
  const request = parseDhtPutRequest(body);
  if (!request.ok) return request;
  if (!verifyItemSignature(request.value)) {
    return {
      ok: false,
      code: 'DHT_SIGNATURE_INVALID',
      message: 'the signature does not verify over salt, seq and v with key k',
    };
  }
  return request;
}

/** True when `item.sig` is k's ed25519 signature over the BEP 44 signable encoding. */
export function verifyItemSignature(item: DhtMutableItem): boolean {
  return verifyEd25519(item.k, bep44Signable(item.salt, item.seq, item.v), item.sig);
}

/** Signs a value as a BEP 44 mutable item of `signer`'s key. */
export function signItem(
  signer: Ed25519Signer,
  salt: Uint8Array,
  seq: number,
  v: Uint8Array,
): DhtMutableItem {
  if (v.length > bep44Limits.maxValueBytes)
    throw new RangeError(
      `a BEP 44 value is at most ${bep44Limits.maxValueBytes} bytes, got ${v.length}`,
    );
  if (salt.length > bep44Limits.maxSaltBytes)
    throw new RangeError(`a BEP 44 salt is at most ${bep44Limits.maxSaltBytes} bytes`);
  return { k: signer.publicKeyRaw, salt, seq, v, sig: signer.sign(bep44Signable(salt, seq, v)) };
}
