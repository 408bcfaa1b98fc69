import { sigmeshError } from '@sigmesh/protocol';
import type { IdentityKeys } from './identity.js';
import type { IdentityStore } from './identity-store.js';

/** The database and object store; one record per identity name. */
const DATABASE = 'sigmesh-identity';
const OBJECT_STORE = 'identities';
const DATABASE_VERSION = 1;

/** What is kept per identity: the CryptoKey objects themselves (structured clone), not bytes. */
interface IdentityRecord {
  readonly v: 1;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly exportable: boolean;
}

/**
 * An {@link IdentityStore} in the browser's IndexedDB (database `sigmesh-identity`), per origin.
 * It keeps the CryptoKey objects as they are, so a private key made non-extractable is stored
 * and reloaded non-extractable: script on the page can sign with it but never read it. `name`
 * keeps several identities apart (default `'default'`). Throws IDENTITY_STORE_UNAVAILABLE where
 * there is no IndexedDB or the browser refuses it (some private modes).
 */
export function indexedDbIdentityStore(name = 'default'): IdentityStore {
  return {
    keeps: 'keys',
    async load() {
      const record = await request<unknown>(name, 'readonly', (store) => store.get(name));
      if (record === undefined) return undefined;
      return keysOf(record);
    },
    async save(keys) {
      await request(name, 'readwrite', (store) => store.put(recordOf(keys), name));
    },
    async saveNew(keys) {
      try {
        // `add` fails (ConstraintError) when the key exists: another tab made its identity first.
        await request(name, 'readwrite', (store) => store.add(recordOf(keys), name));
        return keys;
      } catch (error) {
        const cause = (error as { cause?: { name?: unknown } | null }).cause;
        if (cause?.name !== 'ConstraintError') throw error;
        const saved = await this.load();
        if (saved === undefined) throw error;
        return saved;
      }
    },
    async clear() {
      await request(name, 'readwrite', (store) => store.delete(name));
    },
  };
}

function recordOf(keys: IdentityKeys): IdentityRecord {
  return {
    v: 1,
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
    exportable: keys.exportable,
  };
}

function keysOf(record: unknown): IdentityKeys {
  const value = record as Partial<IdentityRecord> | null;
  if (typeof value !== 'object' || value === null || value.v !== 1)
    throw sigmeshError(
      'IDENTITY_STORE_CORRUPT',
      'the IndexedDB record is not a sigmesh identity of a known version',
    );
  const { privateKey, publicKey, exportable } = value;
  if (privateKey === undefined || publicKey === undefined || typeof exportable !== 'boolean')
    throw sigmeshError('IDENTITY_STORE_CORRUPT', 'the IndexedDB record lacks its keys');
  return { privateKey, publicKey, exportable };
}

/** Runs one request in its own transaction and resolves once the transaction is committed. */
async function request<T>(
  name: string,
  mode: IDBTransactionMode,
  make: (store: IDBObjectStore) => IDBRequest,
): Promise<T> {
  const database = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const transaction = database.transaction(OBJECT_STORE, mode);
      const pending = make(transaction.objectStore(OBJECT_STORE));
      transaction.oncomplete = () => resolve(pending.result as T);
      // The failed request's own error: the transaction's is set only once it has aborted.
      transaction.onerror = (event) =>
        reject(
          unavailable(
            `identity "${name}"`,
            (event.target as IDBRequest | null)?.error ?? transaction.error,
          ),
        );
      transaction.onabort = () => reject(unavailable(`identity "${name}"`, transaction.error));
    });
  } finally {
    database.close();
  }
}

function open(): Promise<IDBDatabase> {
  const factory = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (factory === undefined)
    return Promise.reject(
      sigmeshError(
        'IDENTITY_STORE_UNAVAILABLE',
        'there is no IndexedDB here: pass a store (fileIdentityStore in Node, or memoryIdentityStore)',
      ),
    );
  return new Promise((resolve, reject) => {
    let opening: IDBOpenDBRequest;
    try {
      opening = factory.open(DATABASE, DATABASE_VERSION);
    } catch (error) {
      reject(unavailable('the database', error));
      return;
    }
    opening.onupgradeneeded = () => {
      if (!opening.result.objectStoreNames.contains(OBJECT_STORE))
        opening.result.createObjectStore(OBJECT_STORE);
    };
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(unavailable('the database', opening.error));
    opening.onblocked = () =>
      reject(unavailable('the database', new Error('blocked by another tab on an older version')));
  });
}

function unavailable(what: string, cause: unknown): Error {
  const reason = (cause as { message?: unknown } | null)?.message;
  return sigmeshError(
    'IDENTITY_STORE_UNAVAILABLE',
    `IndexedDB refused ${what}${typeof reason === 'string' ? `: ${reason}` : ''}`,
    { cause },
  );
}
