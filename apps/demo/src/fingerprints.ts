import { peerIdentityOf } from '@sigmesh/client';
import { h } from './element.js';

const cache = new Map<string, Promise<string>>();
const known = new Map<string, string>();

/**
 * A key's fingerprint (`peerIdentityOf`: 6 groups of 4 base32 characters of its SHA-256): what two
 * people compare to know a key is the person's, since names are not proven. Cached per key.
 */
export function fingerprintOf(key: string): Promise<string> {
  let pending = cache.get(key);
  if (pending === undefined) {
    pending = peerIdentityOf(key).then((identity) => {
      if (identity === undefined) throw new Error('not a key');
      known.set(key, identity.fingerprint);
      return identity.fingerprint;
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
