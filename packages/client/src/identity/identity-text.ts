import { fromBase64url, sigmeshError, toBase64url } from '@sigmesh/protocol';

/** What an exported identity starts with; the version says how the rest is encoded. */
export const IDENTITY_TEXT_PREFIX = 'sigmesh-identity:';
const VERSION = 'v1';
/** Characters of the base64url PKCS#8, at most (an Ed25519 one is 64; v2 with the public key, 111). */
const MAX_KEY_CHARS = 256;

/** `sigmesh-identity:v1:` + base64url(PKCS#8 private key, RFC 8410). */
export function exportText(pkcs8: Uint8Array): string {
  return `${IDENTITY_TEXT_PREFIX}${VERSION}:${toBase64url(pkcs8)}`;
}

/**
 * The PKCS#8 bytes an exported identity holds (surrounding white space ignored: it is pasted).
 * Throws IDENTITY_IMPORT_INVALID for anything else, naming what is wrong.
 */
export function parseExportText(text: unknown): Uint8Array {
  const invalid = (why: string): never => {
    throw sigmeshError('IDENTITY_IMPORT_INVALID', `not an exported sigmesh identity: ${why}`);
  };
  if (typeof text !== 'string') return invalid('it is not a string');
  const trimmed = text.trim();
  if (!trimmed.startsWith(IDENTITY_TEXT_PREFIX))
    return invalid(`it does not start with "${IDENTITY_TEXT_PREFIX}"`);
  const rest = trimmed.slice(IDENTITY_TEXT_PREFIX.length);
  const colon = rest.indexOf(':');
  const version = colon < 0 ? rest : rest.slice(0, colon);
  if (version !== VERSION)
    return invalid(
      `version "${version.slice(0, 16)}" is not one this client reads (it reads ${VERSION})`,
    );
  if (colon < 0) return invalid('no key follows the version');
  const encoded = rest.slice(colon + 1);
  const pkcs8 = encoded.length <= MAX_KEY_CHARS ? fromBase64url(encoded) : undefined;
  if (pkcs8 === undefined || pkcs8.length === 0) return invalid('the key is not base64url');
  return pkcs8;
}
