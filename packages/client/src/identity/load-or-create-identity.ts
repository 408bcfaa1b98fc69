import { sigmeshError } from '@sigmesh/protocol';
import { generateEd25519, importEd25519, pkcs8Of } from './ed25519-keys.js';
import { Identity, type IdentityKeys } from './identity.js';
import type { IdentityStore } from './identity-store.js';
import { parseExportText } from './identity-text.js';
import { indexedDbIdentityStore } from './indexeddb-identity-store.js';

/** Options of {@link loadOrCreateIdentity}. */
export interface LoadOrCreateIdentityOptions {
  /**
   * Where the identity is kept. Default: IndexedDB in browsers ({@link indexedDbIdentityStore});
   * elsewhere pass one ({@link fileIdentityStore}, {@link memoryIdentityStore}).
   */
  readonly store?: IdentityStore;
  /**
   * Whether a *new* identity may be exported (`identity.export()`). Default false: the private
   * key never leaves WebCrypto. A stored identity keeps what it was made with.
   */
  readonly exportable?: boolean;
}

/** Options of {@link importIdentity}. */
export interface ImportIdentityOptions {
  /** Where the imported identity is saved (replacing the one there). Default as in {@link loadOrCreateIdentity}. */
  readonly store?: IdentityStore;
  /** Whether the imported identity may be exported again. Default false. */
  readonly exportable?: boolean;
}

/**
 * The identity saved in `store`, or a new one (Ed25519) saved there: the same person on every
 * page load. Throws IDENTITY_STORE_UNAVAILABLE (no store), IDENTITY_STORE_CORRUPT (a saved
 * identity that cannot be read: it is left as it is) or IDENTITY_UNSUPPORTED (no Ed25519).
 */
export async function loadOrCreateIdentity(
  options: LoadOrCreateIdentityOptions = {},
): Promise<Identity> {
  const store = options.store ?? defaultIdentityStore();
  const stored = await store.load();
  if (stored !== undefined) return Identity.fromKeys(stored);
  const exportable = options.exportable ?? false;
  const pair = await generateEd25519(exportable || store.keeps === 'bytes');
  const made: IdentityKeys = { ...pair, exportable };
  let keys = made;
  if (store.saveNew === undefined) await store.save(made);
  else keys = await store.saveNew(made);
  // Another tab or process saved its identity first: that one is loaded as stored.
  if (keys !== made) return Identity.fromKeys(keys);
  return Identity.fromKeys(await keptInMemory(keys));
}

/**
 * Reads an identity exported by `identity.export()` (`sigmesh-identity:v1:…`), saves it in
 * `store` — replacing the identity saved there — and returns it. Throws IDENTITY_IMPORT_INVALID
 * for text that is not an exported identity of a version this client reads, or whose key is
 * damaged.
 */
export async function importIdentity(
  text: string,
  options: ImportIdentityOptions = {},
): Promise<Identity> {
  const pkcs8 = parseExportText(text);
  const store = options.store ?? defaultIdentityStore();
  const exportable = options.exportable ?? false;
  const pair = await importEd25519(pkcs8, exportable || store.keeps === 'bytes');
  if (pair === undefined)
    throw sigmeshError(
      'IDENTITY_IMPORT_INVALID',
      'not an exported sigmesh identity: the key is not an Ed25519 private key',
    );
  const keys: IdentityKeys = { ...pair, exportable };
  await store.save(keys);
  return Identity.fromKeys(await keptInMemory(keys));
}

/** IndexedDB where there is one; elsewhere the app must say where its identity lives. */
export function defaultIdentityStore(): IdentityStore {
  if ((globalThis as { indexedDB?: unknown }).indexedDB === undefined)
    throw sigmeshError(
      'IDENTITY_STORE_UNAVAILABLE',
      'no IndexedDB here: pass store (fileIdentityStore(path) in Node, or memoryIdentityStore())',
    );
  return indexedDbIdentityStore();
}

/**
 * The keys to hold in memory: a key made extractable only so a byte store could write it is
 * read back non-extractable unless the identity is exportable.
 */
async function keptInMemory(keys: IdentityKeys): Promise<IdentityKeys> {
  if (keys.exportable || !keys.privateKey.extractable) return keys;
  const pair = await importEd25519(await pkcs8Of(keys.privateKey), false);
  if (pair === undefined) throw new Error('an Ed25519 key WebCrypto just made did not re-import');
  return { ...pair, exportable: false };
}
