import { fromBase64url, sigmeshError, toBase64url, toHex } from '@sigmesh/protocol';
import { ED25519_PUBLIC_KEY_BYTES, importEd25519, pkcs8Of, rawPublicKey } from './ed25519-keys.js';
import type { IdentityKeys } from './identity.js';
import type { IdentityStore } from './identity-store.js';

/** The `format` field that marks a file as ours (a foreign JSON file is refused, never overwritten unasked). */
const FORMAT = 'sigmesh-identity';
const VERSION = 1;
/** Bytes read at most: an identity file is ~200; anything far larger is not one. */
const MAX_FILE_BYTES = 64 * 1024;

/** The file's JSON. */
interface IdentityFile {
  readonly format: typeof FORMAT;
  readonly v: typeof VERSION;
  readonly algorithm: 'Ed25519';
  /** Raw public key, base64url (43 characters). */
  readonly publicKey: string;
  /** PKCS#8 private key (RFC 8410), base64url. */
  readonly privateKey: string;
  readonly exportable: boolean;
}

/**
 * An {@link IdentityStore} in one JSON file at `path` (Node only; the app names the path). The
 * private key is in the file (PKCS#8, base64url) — protect it as you would an SSH key: the file
 * is written with mode 0600, atomically (a temporary file in the same directory, synced, then
 * renamed over the old one), its directory made (0700) if missing. In memory, a key saved
 * without `exportable` is loaded non-extractable. `load` throws IDENTITY_STORE_CORRUPT for a
 * file that is not a sigmesh identity, of an unknown version, or whose keys are damaged or do
 * not match; it never overwrites such a file by itself.
 */
export function fileIdentityStore(path: string): IdentityStore {
  if (typeof path !== 'string' || path === '')
    throw sigmeshError('CLIENT_OPTIONS_INVALID', 'fileIdentityStore needs a file path');
  return {
    keeps: 'bytes',
    async load() {
      const { readFile } = await import('node:fs/promises');
      let bytes: Uint8Array;
      try {
        bytes = await readFile(path);
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
        throw error;
      }
      return keysOf(path, bytes);
    },
    async save(keys) {
      await writeAtomically(path, await fileText(keys), 'replace');
    },
    async saveNew(keys) {
      if (await writeAtomically(path, await fileText(keys), 'new')) return keys;
      // Another process made the file first: its identity is the one.
      const saved = await this.load();
      if (saved === undefined) throw new Error(`${path} vanished while it was being made`);
      return saved;
    },
    async clear() {
      const { rm } = await import('node:fs/promises');
      await rm(path, { force: true });
    },
  };
}

async function fileText(keys: IdentityKeys): Promise<string> {
  if (!keys.privateKey.extractable)
    throw sigmeshError(
      'IDENTITY_NOT_EXPORTABLE',
      'a file store writes the private key: save needs an extractable one',
    );
  const file: IdentityFile = {
    format: FORMAT,
    v: VERSION,
    algorithm: 'Ed25519',
    publicKey: toBase64url(await rawPublicKey(keys.publicKey)),
    privateKey: toBase64url(await pkcs8Of(keys.privateKey)),
    exportable: keys.exportable,
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

async function keysOf(path: string, bytes: Uint8Array): Promise<IdentityKeys> {
  const corrupt = (why: string): never => {
    throw sigmeshError('IDENTITY_STORE_CORRUPT', `${path} ${why}`);
  };
  if (bytes.length > MAX_FILE_BYTES) return corrupt('is too large to be a sigmesh identity');
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return corrupt('is not JSON: not a sigmesh identity file, or damaged');
  }
  const file = value as Partial<Record<keyof IdentityFile, unknown>> | null;
  if (typeof file !== 'object' || file === null || file.format !== FORMAT)
    return corrupt(`is not a sigmesh identity file (no "format": "${FORMAT}")`);
  if (file.v !== VERSION)
    return corrupt(
      `is a sigmesh identity of version ${String(file.v)}; this client reads ${VERSION}`,
    );
  if (file.algorithm !== 'Ed25519') return corrupt('holds a key of an unknown algorithm');
  if (typeof file.exportable !== 'boolean') return corrupt('has no "exportable" flag');
  const publicKey = typeof file.publicKey === 'string' ? fromBase64url(file.publicKey) : undefined;
  if (publicKey?.length !== ED25519_PUBLIC_KEY_BYTES) return corrupt('has a damaged public key');
  const pkcs8 =
    typeof file.privateKey === 'string' && file.privateKey.length <= 256
      ? fromBase64url(file.privateKey)
      : undefined;
  const pair = pkcs8 === undefined ? undefined : await importEd25519(pkcs8, file.exportable);
  if (pair === undefined) return corrupt('has a damaged private key');
  if (toHex(await rawPublicKey(pair.publicKey)) !== toHex(publicKey))
    return corrupt('holds a public key that is not its private key’s');
  return { ...pair, exportable: file.exportable };
}

/**
 * Writes `text` to `path` so that a reader sees the old file or the new one, never a part.
 * `'new'` writes only where no file is (a hard link, which fails if the path exists, instead of
 * a rename, which replaces it) and resolves false when one was there.
 */
async function writeAtomically(
  path: string,
  text: string,
  mode: 'replace' | 'new',
): Promise<boolean> {
  const { link, mkdir, open, rename, rm } = await import('node:fs/promises');
  const paths = await import('node:path');
  const directory = paths.dirname(path);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const suffix = toHex(crypto.getRandomValues(new Uint8Array(6)));
  const temporary = `${path}.${suffix}.tmp`;
  try {
    // 'wx': never follow or reuse a file someone else put there; 0600 before any byte is written.
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (mode === 'replace') await rename(temporary, path);
    else {
      try {
        await link(temporary, path);
      } catch (error) {
        if ((error as { code?: unknown }).code === 'EEXIST') return false;
        throw error;
      } finally {
        await rm(temporary, { force: true });
      }
    }
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  // The rename itself is durable once the directory is synced (not possible everywhere).
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort: some platforms cannot open or sync a directory.
  }
  return true;
}
