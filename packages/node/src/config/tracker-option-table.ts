import type { OptionSpec } from './option-spec.js';

/**
 * The options of the WebTorrent WebSocket tracker dialect (docs/dialects.md § WebTorrent tracker,
 * docs/limits.md § WebTorrent tracker). Tracker clients cannot pay proof-of-work, so every limit
 * here is per connection, per address or per node, and the node's load scales the rates down.
 * Part of the one option table (node-option-table.ts), kept in its own file.
 */
export const trackerOptionTable = {
  trackerIntervalSeconds: {
    flag: 'tracker-interval-seconds',
    kind: 'integer',
    group: 'limits',
    min: 10,
    max: 3600,
    description:
      'Announce interval the tracker tells peers that have company in their swarm and have paired or been there this long — in a swarm of at most 64 members, paired with every other peer (aquatic: 120; Trystero clamps it to 10–120 s).',
  },
  trackerLoneIntervalSeconds: {
    flag: 'tracker-lone-interval-seconds',
    kind: 'integer',
    group: 'limits',
    min: 5,
    max: 3600,
    description:
      'Announce interval told to a peer alone in its swarm, new in it and not paired yet, or in a swarm of at most 64 members not yet paired with every other peer, so pages that still have peers to meet come back soon with fresh offers.',
  },
  trackerPeerTimeoutSeconds: {
    flag: 'tracker-peer-timeout-seconds',
    kind: 'integer',
    group: 'limits',
    min: 2,
    max: 86_400,
    description:
      'A tracker peer that has not announced for this long leaves its swarm, and a connection silent this long is closed (keep it above --tracker-interval-seconds).',
  },
  trackerOfferTimeoutSeconds: {
    flag: 'tracker-offer-timeout-seconds',
    kind: 'integer',
    group: 'limits',
    min: 1,
    max: 3600,
    description: 'How long a relayed offer can be answered.',
  },
  trackerMaxOffers: {
    flag: 'tracker-max-offers',
    kind: 'integer',
    group: 'limits',
    min: 1,
    max: 100,
    description: 'Offers relayed per announce (aquatic: 10); further offers are ignored.',
  },
  trackerMaxMessageBytes: {
    flag: 'tracker-max-message-bytes',
    kind: 'integer',
    group: 'limits',
    min: 1024,
    max: 1 << 20,
    description: 'Largest tracker message; a larger one closes the connection (1009).',
  },
  trackerMaxConnectionsPerAddress: {
    flag: 'tracker-max-connections-per-address',
    kind: 'integer',
    group: 'limits',
    min: 1,
    max: 10_000_000,
    description:
      'Tracker WebSocket connections per client address (IPv6: per /64); further upgrades get 429 TRACKER_TOO_MANY_CONNECTIONS.',
  },
  trackerMaxSwarmsPerConnection: {
    flag: 'tracker-max-swarms-per-connection',
    kind: 'integer',
    group: 'limits',
    min: 1,
    max: 1_000_000,
    description: 'Swarms (info hashes) one tracker connection may be a peer of.',
  },
  trackerMaxPeersPerAddress: {
    flag: 'tracker-max-peers-per-address',
    kind: 'integer',
    group: 'limits',
    min: 1,
    max: 10_000_000,
    description:
      'Swarm memberships of all tracker connections of one client address (IPv6: per /64).',
  },
  trackerAnnouncesPerSecond: {
    flag: 'tracker-announces-per-second',
    kind: 'number',
    group: 'limits',
    min: 0.01,
    max: 1_000_000,
    description:
      'Announces and scrapes per second per connection (burst 8×); the excess gets TRACKER_RATE_LIMITED.',
  },
  trackerOffersPerSecond: {
    flag: 'tracker-offers-per-second',
    kind: 'number',
    group: 'limits',
    min: 0.01,
    max: 1_000_000,
    description: 'Offers relayed per second per connection (burst 8×).',
  },
  trackerAddressAnnouncesPerSecond: {
    flag: 'tracker-address-announces-per-second',
    kind: 'number',
    group: 'limits',
    min: 0.01,
    max: 1_000_000,
    description: 'Announces and scrapes per second of all connections of one address (burst 8×).',
  },
  trackerAddressOffersPerSecond: {
    flag: 'tracker-address-offers-per-second',
    kind: 'number',
    group: 'limits',
    min: 0.01,
    max: 1_000_000,
    description: 'Offers relayed per second for all connections of one address (burst 8×).',
  },
  trackerMeshMessagesPerSecond: {
    flag: 'tracker-mesh-messages-per-second',
    kind: 'number',
    group: 'limits',
    min: 1,
    max: 1_000_000,
    description:
      "Tracker messages (offers, answers, peer queries) this node sends to other nodes per second (burst 2×); keep it below the other nodes' --mesh-owner-messages-per-second.",
  },
  trackerTakeoverWaitMs: {
    flag: 'tracker-takeover-wait-ms',
    kind: 'integer',
    group: 'limits',
    min: 100,
    max: 60_000,
    description:
      'How long a new connection announcing a peer_id held by another connection waits for that connection to answer a ping before taking the peer_id over.',
  },
} as const satisfies Record<string, OptionSpec>;
