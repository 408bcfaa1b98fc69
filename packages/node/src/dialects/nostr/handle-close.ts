import type { NostrSession } from './nostr-session.js';

/** `["CLOSE", subId]` (NIP-01): ends the subscription; an unknown id is not an error. */
export function handleClose(session: NostrSession, { subId }: { subId: string }): void {
  session.deps.counters.add('closes');
  session.closeSubscription(subId);
}
