import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';

// ed25519 through node:crypto, which only takes DER/PEM/JWK keys: a raw 32-byte private seed is
// wrapped in the fixed PKCS#8 DER prefix for the ed25519 OID 1.3.101.112 (public keys: see
// identity/ed25519-verify.ts).
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
