import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
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
