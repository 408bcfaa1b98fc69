import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { isSmallOrderEd25519Key } from '@sigmesh/protocol';

/** The fixed SPKI DER prefix that wraps a raw 32-byte ed25519 public key (OID 1.3.101.112). */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** Public keys met recently (DHT replies and presence anchors name the same few keys again and again). */
const verifyingKeys = new Map<string, KeyObject>();
/** Beyond this many, the cache starts over (a flood of fresh keys costs what it did before). */
const MAX_VERIFYING_KEYS = 4096;

/**
 * The KeyObject for a raw 32-byte ed25519 public key that may sign (made once while it is in the
 * cache), or undefined for the wrong length or a key anyone can sign as ({@link isSmallOrderEd25519Key}).
 */
export function verifyingKey(raw: Uint8Array): KeyObject | undefined {
  if (raw.length !== 32 || isSmallOrderEd25519Key(raw)) return undefined;
  const id = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
  let key = verifyingKeys.get(id);
  if (key === undefined) {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    if (verifyingKeys.size >= MAX_VERIFYING_KEYS) verifyingKeys.clear();
    verifyingKeys.set(id, key);
  }
  return key;
}

/**
 * Verifies an ed25519 signature by a raw public key: the one check for mesh handshakes, DHT
 * records, presence and inbox proofs. Never throws: the wrong lengths, a key that cannot sign
 * (small order) or one OpenSSL refuses are simply `false`, since the inputs come from the network.
 */
export function verifyEd25519(
  publicKeyRaw: Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (signature.length !== 64) return false;
  try {
    const key = verifyingKey(publicKeyRaw);
    return key !== undefined && verify(null, data, key, signature);
  } catch {
    return false;
  }
}
