import type { JoinRoomOptions } from '../join-room.js';
import type { Identity } from '../identity/identity.js';
import type { InboxSigner } from './inbox-signing.js';

/** Options of {@link connectPeople}: a room's options (for the calls' rooms) and who you are. */
export interface PeopleOptions extends Omit<JoinRoomOptions, 'room' | 'password' | 'identity'> {
  /**
   * Your lasting key: rings and answers are signed with it, and your inbox is derived from it. An
   * `Identity` (`loadOrCreateIdentity`) also signs your hellos in the calls' rooms, so the
   * other side sees your fingerprint there too.
   */
  readonly identity: InboxSigner | Identity;
  /** The name your rings carry (at most 64 characters); the callee sees it beside your key. */
  readonly name?: string;
  /**
   * Whose rings reach you: `anyone` (default), or `contacts` — every other caller is answered
   * `refused` (their `call` rejects with CALL_REFUSED) and never rings here.
   */
  readonly acceptFrom?: 'anyone' | 'contacts';
  /** Whether a key is one of your contacts (for `acceptFrom: 'contacts'` and `ping`). */
  readonly isContact?: (key: string) => boolean;
  /**
   * Whether a key is blocked: its rings are answered `refused` and never ring, its pings go
   * unanswered, whatever `acceptFrom` says.
   */
  readonly isBlocked?: (key: string) => boolean;
  /**
   * When a contact rings (`isContact`), join the call's room while it rings, so accepting only
   * agrees on the key: the call connects sooner. `contacts` (default) or `never`. The caller (a
   * contact, who may `ping` you anyway) learns nothing from it; the nodes see your device join the
   * call's room even if you decline, and each contact's ring costs one paid join. Strangers' rings
   * never do.
   */
  readonly joinWhileRinging?: 'contacts' | 'never';
  /** How long a call rings before it gives up (CALL_UNANSWERED). Default 30,000 ms. */
  readonly ringMs?: number;
  /** How many nodes your inbox listens on. Default 2. */
  readonly inboxNodes?: number;
  /**
   * When your call goes unanswered (or you hang up while it rings), leave a missed-call note for
   * the callee in the DHT (a BEP 44 item under your key), which it reads with `missedCalls` when
   * it is back. Default true.
   */
  readonly missedNotes?: boolean;
  /**
   * Listen on your inbox (be reachable). Default true; `false` makes a call-only client: it can
   * call, ping and send requests, but nobody can ring it.
   */
  readonly listen?: boolean;
  /**
   * A second key to listen privately with (keep it like the identity, e.g. another
   * `loadOrCreateIdentity` store): its inbox is linked to you only through the contact cards you
   * hand out (`people.card()`), and messages there are sealed, so nodes cannot tell who rings you.
   */
  readonly privateInbox?: InboxSigner | Identity;
}

export const peopleDefaults = {
  ringMs: 30_000,
  inboxNodes: 2,
  /** A ring is posted again this often until answered (the nodes may still be linking). */
  ringRepeatMs: 1000,
  /** How far a message's signing time may be from our clock, either way. */
  freshnessMs: 120_000,
  /** How long `ping` waits for a `pong`. */
  pingTimeoutMs: 5000,
} as const;
