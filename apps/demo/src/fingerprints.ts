import { h } from './element.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const cache = new Map<string, Promise<string>>();
const known = new Map<string, string>();

/**
 * A key's fingerprint (6 groups of 4 base32 characters of its SHA-256), as the client shows it for
 * identities: what two people compare to know a key is the person's.
 */
export function fingerprintOf(key: string): Promise<string> {
  let pending = cache.get(key);
  if (pending === undefined) {
    pending = computeFingerprint(key).then((text) => {
      known.set(key, text);
      return text;
    });
    cache.set(key, pending);
  }
  return pending;
}

/** A `<code>` with the key's fingerprint, filled in once it is computed. */
export function fingerprintElement(key: string): HTMLElement {
  const element = h('code', { class: 'fingerprint', 'data-key': key }, known.get(key) ?? '…');
  if (!known.has(key))
    fingerprintOf(key).then(
      (text) => (element.textContent = text),
      () => (element.textContent = '(not a valid key)'),
    );
  return element;
}

async function computeFingerprint(key: string): Promise<string> {
  const raw = fromBase64url(key);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', raw));
  let chars = '';
  let acc = 0;
  let bits = 0;
  for (const byte of digest.subarray(0, 15)) {
    acc = ((acc << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      chars += BASE32[(acc >> bits) & 31] ?? '';
    }
  }
  return chars.match(/.{4}/g)?.join('-') ?? chars;
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
