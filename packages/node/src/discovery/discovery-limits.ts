// Every limit and interval of DHT discovery as a named option with its default. docs/limits-dht.md
// lists the same table; the node's option table maps flags and env onto these.

/** Tunable limits, intervals and timeouts of discovery. */
export interface DiscoveryLimits {
  /** Time limit of one DHT query (k-rpc); 500 ms keeps churned lookups near 1 s. */
  readonly queryTimeoutMs: number;
  /** Time limit of one whole DHT operation (announce, lookup, get, put). */
  readonly operationTimeoutMs: number;
  /** First bootstrap retry delay; doubles per failed attempt (with jitter). */
  readonly bootstrapRetryMinMs: number;
  /** Longest bootstrap retry delay. */
  readonly bootstrapRetryMaxMs: number;
  /** How often the maintenance loop runs (room lookups, due announces). */
  readonly tickMs: number;
  /** Re-announce the node on the network key this often. */
  readonly nodeAnnounceMs: number;
  /** Re-publish the signed descriptor (with a higher seq) this often. */
  readonly descriptorRepublishMs: number;
  /** Refresh the list of known nodes (lookupNodes) this often. */
  readonly nodeLookupMs: number;
  /** Descriptors older than this are not returned by lookupNodes(). */
  readonly descriptorMaxAgeMs: number;
  /** Most nodes lookupNodes() examines and returns. */
  readonly maxNodesPerLookup: number;
  /** Rooms announced at once; further rooms are served locally but not announced. */
  readonly maxRooms: number;
  /** Room epoch length: the derived room key changes this often. */
  readonly roomEpochMs: number;
  /** Announce the next epoch's key this long before the boundary (and look up the previous one this long after). */
  readonly roomEpochLeadMs: number;
  /** Re-announce each room this often (also at every epoch change). */
  readonly roomAnnounceMs: number;
  /** Look each room up this often. */
  readonly roomLookupMs: number;
  /** Most peer addresses taken from one room lookup. */
  readonly maxCandidatesPerLookup: number;
  /** A room peer not seen in a lookup for this long is forgotten. */
  readonly roomPeerTtlMs: number;
  /** Peers announced *to us* are dropped after this long (bittorrent-dht keeps them forever otherwise). */
  readonly storedPeerMaxAgeMs: number;
  /** Peers and BEP 44 values this node stores for others. */
  readonly maxStoredPeers: number;
  readonly maxStoredValues: number;
  /** /dht-get answers are cached this long. */
  readonly getCacheMs: number;
  /** "Not found" is cached this long. */
  readonly notFoundCacheMs: number;
  readonly maxCacheEntries: number;
  /** Time limit of asking a node for its id (GET / at its announced address). */
  readonly identifyTimeoutMs: number;
}

/** The defaults. */
export const defaultDiscoveryLimits: DiscoveryLimits = {
  queryTimeoutMs: 2_000,
  operationTimeoutMs: 15_000,
  bootstrapRetryMinMs: 1_000,
  bootstrapRetryMaxMs: 60_000,
  tickMs: 5_000,
  nodeAnnounceMs: 10 * 60_000,
  descriptorRepublishMs: 10 * 60_000,
  nodeLookupMs: 5 * 60_000,
  descriptorMaxAgeMs: 60 * 60_000,
  maxNodesPerLookup: 32,
  maxRooms: 256,
  roomEpochMs: 60 * 60_000,
  roomEpochLeadMs: 2 * 60_000,
  roomAnnounceMs: 5 * 60_000,
  roomLookupMs: 30_000,
  maxCandidatesPerLookup: 32,
  roomPeerTtlMs: 10 * 60_000,
  storedPeerMaxAgeMs: 15 * 60_000,
  maxStoredPeers: 10_000,
  maxStoredValues: 1_000,
  getCacheMs: 5_000,
  notFoundCacheMs: 1_000,
  maxCacheEntries: 1_000,
  identifyTimeoutMs: 3_000,
};
