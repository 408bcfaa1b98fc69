import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

// ed25519 through node:crypto, which only takes DER/PEM/JWK keys: raw 32-byte keys are wrapped in
// the fixed SPKI (public) or PKCS#8 (private seed) DER prefix for the ed25519 OID 1.3.101.112.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** An ed25519 key pair as KeyObjects, or as raw 32-byte public key and 32-byte private seed. */
export interface Ed25519Identity {
  readonly publicKey: KeyObject | Uint8Array;
  readonly privateKey: KeyObject | Uint8Array;
}

/** The identity in the forms discovery needs: raw public key, hex id and a signer. */
export interface Ed25519Signer {
  /** Raw 32-byte public key. */
  readonly publicKeyRaw: Uint8Array;
  /** Node id: lowercase hex of the raw public key. */
  readonly id: string;
  sign(data: Uint8Array): Uint8Array;
}

/** A KeyObject for a raw 32-byte ed25519 public key. Throws on the wrong length. */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32)
    throw new TypeError(`an ed25519 public key is 32 bytes, got ${raw.length}`);
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** The raw 32 bytes of an ed25519 public KeyObject. */
export function rawPublicKey(key: KeyObject): Uint8Array {
  if (key.asymmetricKeyType !== 'ed25519') throw new TypeError('expected an ed25519 key');
  return new Uint8Array(key.export({ format: 'der', type: 'spki' }).subarray(-32));
}

/** Builds a signer from KeyObjects or raw keys; throws when the pair does not match. */
export function createSigner(identity: Ed25519Identity): Ed25519Signer {
  const privateKey = toPrivateKey(identity.privateKey);
  const publicKeyRaw =
    identity.publicKey instanceof Uint8Array
      ? new Uint8Array(identity.publicKey)
      : rawPublicKey(identity.publicKey);
  const derived = rawPublicKey(createPublicKey(privateKey));
  if (!Buffer.from(derived).equals(Buffer.from(publicKeyRaw)))
    throw new TypeError('the ed25519 public key does not belong to the private key');
  return {
    publicKeyRaw,
    id: Buffer.from(publicKeyRaw).toString('hex'),
    sign: (data) => new Uint8Array(sign(null, data, privateKey)),
  };
}

/**
 * Verifies an ed25519 signature by a raw public key. Never throws: a malformed key (not a curve
 * point) or the wrong lengths are simply `false`, since the inputs come from the network.
 */
export function verifyEd25519(
  publicKeyRaw: Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (publicKeyRaw.length !== 32 || signature.length !== 64) return false;
  try {
    return verify(null, data, verifyingKey(publicKeyRaw), signature);
  } catch {
    return false;
  }
}

/** Public keys met recently (DHT replies carry the same few node records again and again). */
const verifyingKeys = new Map<string, KeyObject>();
/** Beyond this many, the cache starts over (a flood of fresh keys costs what it did before). */
const MAX_VERIFYING_KEYS = 4096;

/** A KeyObject for a raw public key, made once per key while it is in the cache. */
function verifyingKey(raw: Uint8Array): KeyObject {
  const id = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
  let key = verifyingKeys.get(id);
  if (key === undefined) {
    key = publicKeyFromRaw(raw);
    if (verifyingKeys.size >= MAX_VERIFYING_KEYS) verifyingKeys.clear();
    verifyingKeys.set(id, key);
  }
  return key;
}

function toPrivateKey(key: KeyObject | Uint8Array): KeyObject {
  if (!(key instanceof Uint8Array)) {
    if (key.asymmetricKeyType !== 'ed25519' || key.type !== 'private')
      throw new TypeError('expected an ed25519 private key');
    return key;
  }
  if (key.length !== 32)
    throw new TypeError(`a raw ed25519 private key is the 32-byte seed, got ${key.length} bytes`);
  return createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, key]),
    format: 'der',
    type: 'pkcs8',
  });
}
