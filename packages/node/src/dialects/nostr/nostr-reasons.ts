import {
  nostrReason,
  type ErrorCode,
  type NostrReasonPrefix,
  type SigmeshError,
} from '@sigmesh/protocol';

/**
 * The NIP-01 prefix each refusal is sent with. Trystero reads them: `rate-limited:` makes it back
 * off, any other `OK false` and every `CLOSED` make it drop the relay until the page reloads — so
 * only a client that sent something no honest Trystero page sends gets those.
 */
const prefixes = {
  TOPIC_MESSAGE_INVALID: 'invalid',
  NOSTR_EVENT_INVALID: 'invalid',
  NOSTR_EVENT_RESTRICTED: 'restricted',
  TOPIC_RATE_LIMITED: 'rate-limited',
  TOPIC_LIMIT_REACHED: 'rate-limited',
} as const satisfies Partial<Record<ErrorCode, NostrReasonPrefix>>;

/** A code the Nostr dialect refuses messages with. */
export type NostrRefusalCode = keyof typeof prefixes;

/**
 * The `OK`/`CLOSED`/`NOTICE` text for a refusal: `rate-limited: at most 20 events…`. A code
 * outside the table (a room refusal passed on) gets `error:`.
 */
export function nostrRefusalText(error: SigmeshError): string {
  const prefix: NostrReasonPrefix = Object.hasOwn(prefixes, error.code)
    ? prefixes[error.code as NostrRefusalCode]
    : 'error';
  return nostrReason(prefix, error.message);
}
