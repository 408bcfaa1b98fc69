import type { NodeConfig } from './node-options.js';
import type { OptionSpec } from './option-spec.js';

/**
 * The options of the `topics` group: limits of the Trystero topic dialects (Nostr at /nostr,
 * ws-relay at /ws-relay). Their clients cannot pay proof-of-work, so what one connection and one
 * address may hold and send is capped here instead (docs/limits.md § Trystero topic relays). Part
 * of the one option table (node-option-table.ts), kept in its own file.
 */
export const topicsOptionTable = {
  topicsMaxConnections: {
    flag: 'topics-max-connections',
    kind: 'integer',
    group: 'topics',
    min: 1,
    max: 1_000_000,
    description: 'Nostr and ws-relay WebSockets at once (further upgrades get 503).',
  },
  topicsMaxConnectionsPerAddress: {
    flag: 'topics-max-connections-per-address',
    kind: 'integer',
    group: 'topics',
    min: 1,
    max: 1_000_000,
    description:
      'Nostr and ws-relay WebSockets per client address, IPv6 per /64 (a page holds one per relay URL).',
  },
  topicsMaxTopicsPerConnection: {
    flag: 'topics-max-topics-per-connection',
    kind: 'integer',
    group: 'topics',
    min: 1,
    max: 1_000_000,
    description:
      'Distinct topics one connection subscribes to (Trystero: two per room — its root topic and its own).',
  },
  topicsMaxTopicsPerAddress: {
    flag: 'topics-max-topics-per-address',
    kind: 'integer',
    group: 'topics',
    min: 1,
    max: 10_000_000,
    description: 'Topic subscriptions of all connections from one client address together.',
  },
  topicsMaxSubscriptionsPerConnection: {
    flag: 'topics-max-subscriptions-per-connection',
    kind: 'integer',
    group: 'topics',
    min: 1,
    max: 100_000,
    description: 'Open Nostr subscriptions (REQ ids) per connection.',
  },
  topicsMaxFiltersPerRequest: {
    flag: 'topics-max-filters-per-request',
    kind: 'integer',
    group: 'topics',
    min: 1,
    max: 10_000,
    description: 'Filters in one Nostr REQ.',
  },
  topicsEventsPerSecond: {
    flag: 'topics-events-per-second',
    kind: 'number',
    group: 'topics',
    min: 0.1,
    max: 1_000_000,
    description:
      'Events (Nostr EVENT, ws-relay publish) per second per connection after the burst; the address gets ten times this. Lowered while the node is loaded.',
  },
  topicsEventBurst: {
    flag: 'topics-event-burst',
    kind: 'integer',
    group: 'topics',
    min: 1,
    max: 10_000_000,
    description:
      'Events one connection may send at once (joining a busy room: an offer and its candidates per peer); the address gets ten times this.',
  },
  topicsMaxMessageBytes: {
    flag: 'topics-max-message-bytes',
    kind: 'integer',
    group: 'topics',
    min: 1024,
    max: 1 << 20,
    description:
      'Largest Nostr or ws-relay frame (larger ones close the socket with 1009); also bounded by --mesh-max-frame-bytes less 4 KiB.',
  },
  topicsMaxBufferedBytes: {
    flag: 'topics-max-buffered-bytes',
    kind: 'integer',
    group: 'topics',
    min: 16 * 1024,
    max: 1 << 30,
    description: 'Bytes waiting to be sent to one connection before it is closed as too slow.',
  },
  topicsPingMs: {
    flag: 'topics-ping-ms',
    kind: 'integer',
    group: 'topics',
    min: 1_000,
    max: 3_600_000,
    description:
      'WebSocket ping interval; a connection that has not answered the previous ping by the next is closed.',
  },
  nostrClockWindowSeconds: {
    flag: 'nostr-clock-window-seconds',
    kind: 'integer',
    group: 'topics',
    min: 60,
    max: 10 * 365 * 86_400,
    description:
      "How far an event's created_at may be from the node's clock, either way; live subscriptions' since/until are widened by as much (skewed client clocks are Trystero's commonest relay failure).",
  },
} as const satisfies Partial<Record<keyof NodeConfig, OptionSpec>>;
