import { sigmeshError, toBase64url, type ClientId } from '@sigmesh/protocol';
import { asBufferSource } from '../signaling/encode.js';
import { clientIdOf } from './client-id.js';
import {
  ED25519,
  isEd25519Pair,
  pkcs8Of,
  rawPublicKey,
  type Ed25519KeyPair,
} from './ed25519-keys.js';
import { fingerprintOf } from './fingerprint.js';
import { exportText } from './identity-text.js';

/** An identity's keys and whether it may be exported, as an {@link IdentityStore} keeps them. */
export interface IdentityKeys extends Ed25519KeyPair {
  /** `identity.export()` may hand the private key out (it was made with `exportable: true`). */
  readonly exportable: boolean;
}

/**
 * A person's lasting key pair: Ed25519 through WebCrypto, kept across page loads by an
 * {@link IdentityStore} (see {@link loadOrCreateIdentity}). Pass it to `joinRoom({ identity })`
 * and every hello in the room is signed by it, so peers see the same id and fingerprint each
 * time. Unless made with `exportable: true`, the private key cannot leave WebCrypto.
 */
export class Identity {
  /** hex(SHA-256(raw public key))[0:32]: the id rooms know this identity by (`room.selfId`). */
  readonly id: ClientId;
  /** The raw 32-byte Ed25519 public key, base64url (43 characters). */
  readonly publicKey: string;
  /** For people to compare: see {@link fingerprintOf} (6 groups of 4 base32 characters). */
  readonly fingerprint: string;
  /** `export()` works (made or imported with `exportable: true`). */
  readonly exportable: boolean;
  readonly #privateKey: CryptoKey;

  private constructor(
    id: ClientId,
    publicKey: string,
    fingerprint: string,
    exportable: boolean,
    privateKey: CryptoKey,
  ) {
    this.id = id;
    this.publicKey = publicKey;
    this.fingerprint = fingerprint;
    this.exportable = exportable;
    this.#privateKey = privateKey;
  }

  /**
   * The identity of a key pair (as a store loaded it). Throws IDENTITY_STORE_CORRUPT when the
   * keys are not an Ed25519 pair, or `exportable` is claimed for a key WebCrypto will not export.
   */
  static async fromKeys(keys: IdentityKeys): Promise<Identity> {
    if (!isEd25519Pair(keys))
      throw sigmeshError('IDENTITY_STORE_CORRUPT', 'the stored keys are not an Ed25519 key pair');
    if (keys.exportable && !keys.privateKey.extractable)
      throw sigmeshError(
        'IDENTITY_STORE_CORRUPT',
        'the stored identity claims to be exportable, but its private key is not extractable',
      );
    const raw = await rawPublicKey(keys.publicKey);
    const [id, fingerprint] = await Promise.all([clientIdOf(raw), fingerprintOf(raw)]);
    return new Identity(id, toBase64url(raw), fingerprint, keys.exportable, keys.privateKey);
  }

  /** The Ed25519 signature (64 bytes) of `bytes`; {@link verifySignature} checks it. */
  async sign(bytes: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(
      await crypto.subtle.sign(ED25519, this.#privateKey, asBufferSource(bytes)),
    );
  }

  /**
   * The private key as portable text, `sigmesh-identity:v1:` + base64url(PKCS#8), for a backup
   * or a second device ({@link importIdentity}). Whoever has the text *is* this identity: keep it
   * as secret as a password. Throws IDENTITY_NOT_EXPORTABLE unless the identity was made or
   * imported with `exportable: true`.
   */
  async export(): Promise<string> {
    if (!this.exportable || !this.#privateKey.extractable)
      throw sigmeshError(
        'IDENTITY_NOT_EXPORTABLE',
        `identity ${this.fingerprint} was made without exportable: true; its private key cannot leave WebCrypto`,
      );
    return exportText(await pkcs8Of(this.#privateKey));
  }
}
