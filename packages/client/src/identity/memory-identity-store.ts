import type { IdentityKeys } from './identity.js';
import type { IdentityStore } from './identity-store.js';

/** An {@link IdentityStore} that lasts as long as the object: for tests, or an identity per run. */
export function memoryIdentityStore(): IdentityStore {
  let saved: IdentityKeys | undefined;
  return {
    keeps: 'keys',
    load: () => Promise.resolve(saved),
    save: (keys) => {
      saved = keys;
      return Promise.resolve();
    },
    saveNew: (keys) => {
      saved ??= keys;
      return Promise.resolve(saved);
    },
    clear: () => {
      saved = undefined;
      return Promise.resolve();
    },
  };
}
