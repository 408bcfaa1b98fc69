import { protocolLimits } from '@sigmesh/protocol';

/** Every setting of a node, resolved. `createNode()` takes a partial of this. */
export interface NodeConfig {
  readonly host: string;
  readonly port: number;
  /** The URL clients and other nodes use to reach this node; derived from host/port when empty. */
  readonly publicUrl: string;
  readonly dataDir: string;
  readonly trustProxy: boolean;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `auto`: human-readable lines on a terminal, JSON lines otherwise. */
  readonly logFormat: 'auto' | 'json' | 'pretty';
  readonly tlsCert: string;
  readonly tlsKey: string;
  /** How often the TLS files are checked for a renewed pair (0: only on SIGHUP / `reloadTls()`). */
  readonly tlsReloadMs: number;
  /** How long a graceful stop (SIGTERM) waits for members to move to other nodes. */
  readonly drainMs: number;
  /** Node processes sharing the port (`sigmesh start` only; 1: this process is the node). */
  readonly workers: number;
  /** Crashed workers replaced per minute before `sigmesh start` gives up. */
  readonly workerRestartsPerMinute: number;
  readonly maxMessageBytes: number;
  readonly maxRooms: number;
  readonly maxMembersPerRoom: number;
  readonly maxStreamsPerAddress: number;
  readonly memberQueueBytes: number;
  readonly heartbeatMs: number;
  /** Presence changes a room keeps for members that cannot take them yet (further behind: a snapshot). */
  readonly presenceBacklog: number;
  /** Rooms with more local members than this get presence at most every `presenceIntervalMs`. */
  readonly presenceBatchMembers: number;
  /** Least time between two presence events to one member of a large room (0: no pacing). */
  readonly presenceIntervalMs: number;
  /** How far an inbox owner's proof may be signed from this node's clock, either way. */
  readonly inboxProofWindowMs: number;
  readonly powBaseDifficulty: number;
  readonly powMaxDifficulty: number;
  readonly powTtlSeconds: number;
  readonly powFreeMessages: number;
  readonly powMessagesPerDoubling: number;
  readonly powLoadKnee: number;
  readonly powLoadDoublings: number;
  readonly powReplayMax: number;
  readonly maxTrackedClients: number;
  readonly loadSampleMs: number;
  /** `mainline`, `none`, or `HOST:PORT,…` (a local testnet). */
  readonly dhtBootstrap: string;
  readonly dhtPort: number;
  readonly meshMaxLinks: number;
  /** Links a node dials per room found on more nodes than this (the room's overlay degree). */
  readonly meshRoomDegree: number;
  /** Links to verified nodes kept though no room needs them, while the node holds no more. */
  readonly meshStandbyLinks: number;
  readonly meshHopLimit: number;
  readonly meshMaxFrameBytes: number;
  readonly meshFramesPerSecond: number;
  readonly meshMaxBufferedBytes: number;
  readonly meshIdleCloseMs: number;
  readonly meshHandshakeTimeoutMs: number;
  readonly meshDedupeSize: number;
  /** Node URLs to keep links to always (a private federation, or a fixed topology in tests). */
  readonly meshPeers: readonly string[];
  readonly meshMaxPendingLinks: number;
  readonly meshAdmissionDifficulty: number;
  readonly meshMaxAdmissionDifficulty: number;
  readonly meshPingMs: number;
  readonly meshSilenceMs: number;
  readonly meshBeatMs: number;
  readonly meshRoomBeatsPerSecond: number;
  readonly meshPresenceLeaseMs: number;
  readonly meshMaxRoomsPerLink: number;
  readonly meshMaxOwnersPerLink: number;
  readonly meshMaxMembersPerLink: number;
  readonly meshMaxMembersPerOwner: number;
  readonly meshMaxRemoteMembersPerRoom: number;
  readonly meshMaxRemoteMembers: number;
  readonly meshOwnerMessagesPerSecond: number;
  readonly meshBanPoints: number;
  /** Built-in STUN/TURN port (UDP and TCP); -1 turns it off. */
  readonly turnPort: number;
  /** CIDRs TURN may relay to although special-purpose (loopback, private…). */
  readonly turnAllowPeer: readonly string[];
  /** CIDRs in which the addresses of linked, DHT-verified nodes become TURN peers (LAN meshes). */
  readonly turnAllowMeshPeer: readonly string[];
  /** TURN REST secret(s), comma-separated; empty: random per process. */
  readonly turnSecret: string;
  /** `HOST:PORT` of an external TURN server (coturn) sharing --turn-secret. */
  readonly turnExternal: string;
  /** Public IP put into XOR-RELAYED-ADDRESS (behind 1:1 NAT); empty: the relay socket's own address. */
  readonly turnRelayIp: string;
  /** `GET /turn` answers per client address per minute (0 turns the endpoint off). */
  readonly turnCredentialsPerMinute: number;
  /** Serve Prometheus metrics at `GET /metrics` (no PoW: firewall it if it must stay private). */
  readonly metrics: boolean;
  // Resources (issue 11); 0 on a derived cap means "size it from the open-file limit".
  /** HTTP(S) connections at once (0: derived). */
  readonly maxConnections: number;
  /** HTTP(S) connections per client address, IPv6 per /64 (0: no cap). */
  readonly maxConnectionsPerAddress: number;
  /** Time a connection has to deliver a complete request head. */
  readonly headersTimeoutMs: number;
  /** Time a request has to arrive whole, body included. */
  readonly requestTimeoutMs: number;
  /** File descriptors kept for the node's own use when deriving caps (0: derived). */
  readonly fdReserve: number;
  /** TURN allocations on the built-in server (0: derived). */
  readonly turnMaxAllocations: number;
  /** TURN allocations per client address. */
  readonly turnMaxAllocationsPerAddress: number;
  /** TURN TCP client connections (0: derived). */
  readonly turnMaxTcpConnections: number;
  /** TURN TCP client connections per client address. */
  readonly turnMaxTcpConnectionsPerAddress: number;
  /** Silence after which a TURN TCP connection without an allocation is closed. */
  readonly turnTcpAuthTimeoutSeconds: number;
  /** TURN fill in percent from which lifetimes are short. */
  readonly turnCrowdedPercent: number;
  /** Longest lifetime granted while TURN is crowded. */
  readonly turnCrowdedLifetimeSeconds: number;
  /** Interval of giving freed native memory back to the system (0: never; resources/memory-trim.ts). */
  readonly memoryTrimSeconds: number;
  // Prices and fairness (issue 11).
  /** Paid requests per minute from one address (all its members together) at the base price. */
  readonly powAddressFreeMessages: number;
  /** Each this many further requests from the address double the price of everyone behind it. */
  readonly powAddressMessagesPerDoubling: number;
  /** How far below the current price (a fraction) a challenge's difficulty may be and still pass. */
  readonly powPriceTolerance: number;
  /** Requests per second without proof-of-work one address may make (token bucket rate). */
  readonly unpaidRequestsPerSecond: number;
  /** Burst of requests without proof-of-work one address may make. */
  readonly unpaidBurst: number;
  // WebTorrent WebSocket tracker dialect (issue 12; config/tracker-option-table.ts).
  readonly trackerIntervalSeconds: number;
  readonly trackerLoneIntervalSeconds: number;
  readonly trackerPeerTimeoutSeconds: number;
  readonly trackerOfferTimeoutSeconds: number;
  readonly trackerMaxOffers: number;
  readonly trackerMaxMessageBytes: number;
  readonly trackerMaxConnectionsPerAddress: number;
  readonly trackerMaxSwarmsPerConnection: number;
  readonly trackerMaxPeersPerAddress: number;
  readonly trackerAnnouncesPerSecond: number;
  readonly trackerOffersPerSecond: number;
  readonly trackerAddressAnnouncesPerSecond: number;
  readonly trackerAddressOffersPerSecond: number;
  readonly trackerMeshMessagesPerSecond: number;
  readonly trackerTakeoverWaitMs: number;
  // Trystero topic dialects (Nostr, ws-relay): config/topics-option-table.ts.
  /** Nostr and ws-relay WebSockets at once. */
  readonly topicsMaxConnections: number;
  /** Nostr and ws-relay WebSockets per client address (IPv6 per /64). */
  readonly topicsMaxConnectionsPerAddress: number;
  /** Distinct topics one connection subscribes to. */
  readonly topicsMaxTopicsPerConnection: number;
  /** Topic subscriptions of all connections of one address together. */
  readonly topicsMaxTopicsPerAddress: number;
  /** Open Nostr subscriptions per connection. */
  readonly topicsMaxSubscriptionsPerConnection: number;
  /** Filters in one Nostr REQ. */
  readonly topicsMaxFiltersPerRequest: number;
  /** Events per second per connection (ten times this per address), lowered under load. */
  readonly topicsEventsPerSecond: number;
  /** Events one connection may send at once (ten times this per address). */
  readonly topicsEventBurst: number;
  /** Largest Nostr or ws-relay frame in bytes. */
  readonly topicsMaxMessageBytes: number;
  /** Bytes waiting for one connection before it is closed as too slow. */
  readonly topicsMaxBufferedBytes: number;
  /** WebSocket ping interval of dialect connections. */
  readonly topicsPingMs: number;
  /** Largest distance in seconds between an event's created_at and the node's clock. */
  readonly nostrClockWindowSeconds: number;
}

/** Defaults: safe for a public node on a small VPS. */
export const nodeDefaults: NodeConfig = {
  host: '0.0.0.0',
  port: 8000,
  publicUrl: '',
  dataDir: '',
  trustProxy: false,
  logLevel: 'info',
  logFormat: 'auto',
  tlsCert: '',
  tlsKey: '',
  tlsReloadMs: 60_000,
  drainMs: 5_000,
  workers: 1,
  workerRestartsPerMinute: 5,
  maxMessageBytes: protocolLimits.maxMessageBytes,
  maxRooms: 10_000,
  maxMembersPerRoom: 1_000,
  maxStreamsPerAddress: 100,
  memberQueueBytes: 64 * 1024,
  heartbeatMs: 15_000,
  presenceBacklog: 1024,
  presenceBatchMembers: 256,
  presenceIntervalMs: 500,
  inboxProofWindowMs: 60_000,
  powBaseDifficulty: 2_000,
  powMaxDifficulty: 1 << 22,
  powTtlSeconds: 120,
  powFreeMessages: 10,
  powMessagesPerDoubling: 10,
  powLoadKnee: 0.5,
  // 2000 × 2¹² = 8,192,000 > the cap 4,194,304: a node near saturation (smoothed load ≥ 0.96)
  // answers 503 NODE_OVERLOADED; with 10 doublings full load priced 2,048,000 and it never did.
  powLoadDoublings: 12,
  powReplayMax: 500_000,
  maxTrackedClients: 100_000,
  loadSampleMs: 1_000,
  dhtBootstrap: 'mainline',
  dhtPort: 0,
  meshMaxLinks: 64,
  meshRoomDegree: 8,
  meshStandbyLinks: 8,
  meshHopLimit: 6,
  meshMaxFrameBytes: 64 * 1024,
  meshFramesPerSecond: 20_000,
  meshMaxBufferedBytes: 1 << 20,
  meshIdleCloseMs: 30_000,
  meshHandshakeTimeoutMs: 10_000,
  meshDedupeSize: 100_000,
  meshPeers: [],
  meshMaxPendingLinks: 16,
  meshAdmissionDifficulty: 4096,
  meshMaxAdmissionDifficulty: 1 << 18,
  meshPingMs: 2_000,
  meshSilenceMs: 6_000,
  meshBeatMs: 1_000,
  meshRoomBeatsPerSecond: 100,
  meshPresenceLeaseMs: 4_000,
  meshMaxRoomsPerLink: 10_000,
  meshMaxOwnersPerLink: 1_000,
  meshMaxMembersPerLink: 50_000,
  meshMaxMembersPerOwner: 10_000,
  meshMaxRemoteMembersPerRoom: 50_000,
  meshMaxRemoteMembers: 200_000,
  meshOwnerMessagesPerSecond: 2_000,
  meshBanPoints: 100,
  turnPort: 3478,
  turnAllowPeer: [],
  turnAllowMeshPeer: [],
  turnSecret: '',
  turnExternal: '',
  turnRelayIp: '',
  turnCredentialsPerMinute: 6,
  metrics: true,
  maxConnections: 0,
  maxConnectionsPerAddress: 128,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  fdReserve: 0,
  turnMaxAllocations: 0,
  turnMaxAllocationsPerAddress: 128,
  turnMaxTcpConnections: 0,
  turnMaxTcpConnectionsPerAddress: 16,
  turnTcpAuthTimeoutSeconds: 10,
  turnCrowdedPercent: 50,
  turnCrowdedLifetimeSeconds: 120,
  memoryTrimSeconds: 30,
  // One address is allowed what about 20 busy clients would use (tabs, an office, a CGNAT).
  powAddressFreeMessages: 200,
  powAddressMessagesPerDoubling: 100,
  powPriceTolerance: 0.25,
  unpaidRequestsPerSecond: 20,
  unpaidBurst: 200,
  // WebTorrent tracker: aquatic's interval, offers and message size; limits sized so a browser
  // in a few rooms (Trystero: four announces in its first two seconds per room) never meets them.
  trackerIntervalSeconds: 120,
  trackerLoneIntervalSeconds: 15,
  trackerPeerTimeoutSeconds: 180,
  trackerOfferTimeoutSeconds: 120,
  trackerMaxOffers: 10,
  trackerMaxMessageBytes: 64 * 1024,
  trackerMaxConnectionsPerAddress: 32,
  trackerMaxSwarmsPerConnection: 100,
  trackerMaxPeersPerAddress: 1_000,
  trackerAnnouncesPerSecond: 5,
  trackerOffersPerSecond: 20,
  trackerAddressAnnouncesPerSecond: 100,
  trackerAddressOffersPerSecond: 400,
  trackerMeshMessagesPerSecond: 1_000,
  trackerTakeoverWaitMs: 2_000,
  topicsMaxConnections: 10_000,
  topicsMaxConnectionsPerAddress: 32,
  topicsMaxTopicsPerConnection: 256,
  topicsMaxTopicsPerAddress: 2_048,
  topicsMaxSubscriptionsPerConnection: 32,
  topicsMaxFiltersPerRequest: 16,
  topicsEventsPerSecond: 20,
  topicsEventBurst: 400,
  topicsMaxMessageBytes: 32 * 1024,
  topicsMaxBufferedBytes: 1 << 20,
  topicsPingMs: 30_000,
  // A day either way: wrong-timezone clocks are hours off, and nothing is stored, so an old
  // created_at can neither fill history nor reach a subscriber that joins later.
  nostrClockWindowSeconds: 86_400,
};
