import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The node's ed25519 key pair; its id is the hex of the raw 32-byte public key. */
export interface NodeIdentity {
  readonly id: string;
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
  /** Raw 32-byte public key. */
  readonly publicKeyRaw: Uint8Array;
  sign(data: Uint8Array): Uint8Array;
}

const IDENTITY_FILE = 'identity.pem';

/**
 * Loads the identity from `dataDir/identity.pem`, creating it (mode 0600, directory 0700) on first
 * start, so a node keeps its id across restarts.
 */
export async function loadOrCreateIdentity(dataDir: string): Promise<NodeIdentity> {
  const path = join(dataDir, IDENTITY_FILE);
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    // 'wx' never overwrites: two nodes started on one data dir at once keep one key.
    await writeFile(path, pem, { mode: 0o600, flag: 'wx' }).catch(async (writeError: unknown) => {
      if ((writeError as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError;
      pem = await readFile(path, 'utf8');
    });
  }
  return identityFromPrivateKey(createPrivateKey(pem));
}

/** Builds the identity from an ed25519 private key. */
export function identityFromPrivateKey(privateKey: KeyObject): NodeIdentity {
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new TypeError('the node identity must be an ed25519 key');
  const publicKey = createPublicKey(privateKey);
  const publicKeyRaw = new Uint8Array(
    publicKey.export({ format: 'der', type: 'spki' }).subarray(-32),
  );
  return {
    id: Buffer.from(publicKeyRaw).toString('hex'),
    publicKey,
    privateKey,
    publicKeyRaw,
    sign: (data) => new Uint8Array(sign(null, data, privateKey)),
  };
}

/** A fresh in-memory identity (tests, testnets). */
export function createEphemeralIdentity(): NodeIdentity {
  return identityFromPrivateKey(generateKeyPairSync('ed25519').privateKey);
}

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The KeyObject of a raw 32-byte ed25519 public key (cache it: building one costs as much as a verify). */
export function ed25519PublicKey(publicKeyRaw: Uint8Array): KeyObject {
  return createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, publicKeyRaw]),
    format: 'der',
    type: 'spki',
  });
}

/** Verifies an ed25519 signature by a raw 32-byte public key. */
export function verifyEd25519(
  publicKeyRaw: Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (publicKeyRaw.length !== 32 || signature.length !== 64) return false;
  return verify(null, data, ed25519PublicKey(publicKeyRaw), signature);
}
