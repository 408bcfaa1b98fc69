import { indexedDbIdentityStore, loadOrCreateIdentity } from '@sigmesh/client';
import { AppShell } from './app-shell.js';
import { describeError } from './describe-error.js';
import { h } from './element.js';

/** Rooms of this app never meet rooms of other sigmesh apps with the same name. */
const APP_ID = 'sigmesh-demo';

const root = document.getElementById('app');
if (root === null) throw new Error('index.html has no #app element');

Promise.all([
  loadOrCreateIdentity(),
  // The private inbox's key: kept like the identity, under its own name.
  loadOrCreateIdentity({ store: indexedDbIdentityStore('private-inbox') }),
]).then(
  ([identity, privateInbox]) =>
    new AppShell({
      root,
      appId: APP_ID,
      identity,
      privateInbox,
      storage: localStorageOrUndefined(),
      // The node serving this page; the client learns the others from its /nodes.
      nodes: [location.origin],
    }).start(),
  (error: unknown) =>
    root.replaceChildren(
      h(
        'main',
        { class: 'home' },
        h('p', { class: 'join-error', role: 'alert' }, `No identity: ${describeError(error)}`),
        h(
          'p',
          {},
          'The app keeps your key in IndexedDB; this browser refused it (a private window?).',
        ),
      ),
    ),
);

function localStorageOrUndefined(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}
