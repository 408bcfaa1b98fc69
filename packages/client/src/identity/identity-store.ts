import type { IdentityKeys } from './identity.js';

/**
 * Where a lasting {@link Identity} is kept between runs. Three come with the client:
 * {@link indexedDbIdentityStore} (browsers; the default there), {@link fileIdentityStore}
 * (Node) and {@link memoryIdentityStore} (tests, or one run). An app may write its own.
 */
export interface IdentityStore {
  /**
   * `'keys'`: the store keeps the CryptoKey objects themselves (IndexedDB stores them by
   * structured clone), so a private key made non-extractable stays so. `'bytes'`: the store
   * writes the private key's bytes (a file), so the key handed to `save` must be extractable;
   * {@link loadOrCreateIdentity} makes it so and keeps a non-extractable copy in memory.
   */
  readonly keeps: 'keys' | 'bytes';
  /** The saved identity's keys, or undefined when none is saved. Throws IDENTITY_STORE_CORRUPT for unreadable contents. */
  load(): Promise<IdentityKeys | undefined>;
  /** Saves `keys`, replacing whatever was saved. */
  save(keys: IdentityKeys): Promise<void>;
  /**
   * Saves `keys` only if no identity is saved yet, in one step, and resolves with the identity
   * saved afterwards: `keys`, or the one another tab or process saved first. Without it,
   * {@link loadOrCreateIdentity} uses `save`, and two first runs at once may each keep their own.
   */
  saveNew?(keys: IdentityKeys): Promise<IdentityKeys>;
  /** Forgets the saved identity (nothing happens when none is saved). */
  clear(): Promise<void>;
}
