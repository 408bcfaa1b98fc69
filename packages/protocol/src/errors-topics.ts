import type { ErrorSpec } from './error-spec.js';

/**
 * Refusals of the Trystero topic dialects (Nostr at `/nostr`, ws-relay at `/ws-relay`). They reach
 * clients in those protocols' own words — NIP-01 `OK false` / `CLOSED` / `NOTICE` messages whose
 * text starts with the NIP-01 prefix named here, or a ws-relay `{ type: "error", code, message }`
 * frame — and, for refused WebSocket upgrades, as the usual `{ code, message }` HTTP body.
 */
export const topicErrors = {
  TOPIC_MESSAGE_INVALID: {
    status: 400,
    summary:
      'A frame is not JSON, not a message of the dialect, or malformed (NIP-01 prefix "invalid:"); the connection stays open.',
  },
  NOSTR_EVENT_INVALID: {
    status: 400,
    summary:
      'A Nostr event whose id is not the hash of its content, whose signature does not verify, or whose created_at is outside the clock window (OK false "invalid: …").',
  },
  NOSTR_EVENT_RESTRICTED: {
    status: 403,
    summary:
      'A Nostr event this relay does not carry: not an ephemeral kind (20000–29999), no x tag naming its topic, or larger than --topics-max-message-bytes (OK false "restricted: …").',
  },
  TOPIC_RATE_LIMITED: {
    status: 429,
    summary:
      'More events than --topics-events-per-second allows this connection or address, lowered while the node is loaded (OK false "rate-limited: …" or a ws-relay error frame).',
  },
  TOPIC_LIMIT_REACHED: {
    status: 429,
    summary:
      'A subscription over the caps on subscriptions, filters or topics per connection or address (CLOSED "rate-limited: …" or a ws-relay error frame).',
  },
  TOPIC_CONNECTIONS_PER_ADDRESS: {
    status: 429,
    summary:
      'This client address holds --topics-max-connections-per-address dialect WebSockets already (HTTP 429 at the upgrade).',
  },
  TOPIC_CONNECTION_LIMIT: {
    status: 503,
    summary:
      'The node holds --topics-max-connections dialect WebSockets, or its load is too high to take another (HTTP 503 at the upgrade, with Retry-After).',
  },
  TOPIC_SLOW_CONSUMER: {
    status: 503,
    summary:
      'A connection did not read its messages: more than --topics-max-buffered-bytes were waiting, so it was closed (WebSocket close 1013).',
  },
} as const satisfies Record<string, ErrorSpec>;
