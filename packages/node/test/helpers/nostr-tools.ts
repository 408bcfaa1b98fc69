import type * as Pure from 'nostr-tools/pure';
import type * as RelayModule from 'nostr-tools/relay';
import type * as FilterModule from 'nostr-tools/filter';

// nostr-tools' exports map lists a "source" condition pointing at .ts files it does not publish,
// and the test runner resolves with --conditions=source (for our own packages): its built ESM
// files are therefore loaded by path. Types come from the package as usual.
const lib = new URL('../../../../node_modules/nostr-tools/lib/esm/', import.meta.url);

/** `nostr-tools/pure`: keys, finalizeEvent, verifyEvent. */
export const nostrPure = (await import(new URL('pure.js', lib).href)) as typeof Pure;
/** `nostr-tools/relay`: the Relay client. */
export const nostrRelay = (await import(new URL('relay.js', lib).href)) as typeof RelayModule;
/** `nostr-tools/filter`: matchFilter, the reference for filter matching. */
export const nostrFilter = (await import(new URL('filter.js', lib).href)) as typeof FilterModule;
