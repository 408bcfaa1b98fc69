import { fromBase64url, type Base64urlDecoder } from '@sigmesh/protocol';

/** Only base64url's alphabet, no padding. */
const ALPHABET = /^[A-Za-z0-9_-]*$/;

/**
 * `@sigmesh/protocol`'s strict `fromBase64url`, decoded by Node's native base64url: the same
 * answer for every input (pinned by the unit test and the `pow-token` fuzz target against it),
 * at a fraction of the cost on the PoW token of every paid request. Node's decoder alone is
 * lenient (it skips foreign characters and keeps stray bits), so the text is checked first: the
 * alphabet, then a length some bytes have and no stray low bits in the last characters — by
 * `fromBase64url` itself on the final 2 or 3 characters, the only ones that can carry any.
 */
export const decodeBase64urlNative: Base64urlDecoder = (text) => {
  const rest = text.length % 4;
  if (rest === 1 || !ALPHABET.test(text)) return undefined;
  if (rest !== 0 && fromBase64url(text.slice(-rest)) === undefined) return undefined;
  return Buffer.from(text, 'base64url');
};
