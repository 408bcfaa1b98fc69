import type { NodeContext } from '../node-context.js';
import { zeroTurnCounts } from '../turn/turn-error-code.js';
import type { RoomOperationCount } from '../discovery/room-rendezvous.js';

// What a node's /metrics reports: the snapshot one scrape reads, and each metric's name, help and
// reading of it (node-metrics.ts registers them).

/** What the metrics read: the node's existing counters, nothing counted twice. */
export type MetricSources = Pick<
  NodeContext,
  | 'identity'
  | 'version'
  | 'startedAt'
  | 'rooms'
  | 'mesh'
  | 'pricing'
  | 'load'
  | 'unpaid'
  | 'refusedWork'
  | 'turn'
  | 'discovery'
  | 'resources'
  | 'connections'
  | 'dialects'
  | 'worker'
>;

/** Everything one scrape reports, read once so the scrape shows one consistent state. */
export function takeSnapshot(sources: MetricSources) {
  const turn = sources.turn.server?.stats();
  const connections = sources.connections.stats();
  return {
    resources: sources.resources,
    connections,
    rooms: sources.rooms.stats(),
    dialects: sources.dialects.map((dialect) => ({ name: dialect.name, ...dialect.stats() })),
    mesh: sources.mesh.stats(),
    price: sources.pricing.basePrice().price,
    load: sources.load.current(),
    unpaidRefused: sources.unpaid.refused,
    refusedShare: sources.refusedWork.share(),
    dht: sources.discovery.status(),
    workerMoved: sources.worker?.moved ?? 0,
    turn: {
      allocations: turn?.allocations ?? 0,
      created: turn?.allocationsCreated ?? 0,
      expired: turn?.allocationsExpired ?? 0,
      requests: turn?.requests ?? 0,
      bytes: { to_peer: turn?.bytesToPeer ?? 0, to_client: turn?.bytesToClient ?? 0 },
      packets: { to_peer: turn?.packetsToPeer ?? 0, to_client: turn?.packetsToClient ?? 0 },
      rejected: turn?.rejected ?? zeroTurnCounts(),
      tcpConnections: turn?.tcpConnections ?? 0,
      peersRevoked: turn?.peersRevoked ?? 0,
      tcpUnauthenticatedClosed: turn?.tcpUnauthenticatedClosed ?? 0,
    },
  };
}
export type Snapshot = ReturnType<typeof takeSnapshot>;
type Read = (s: Snapshot) => number;
type ReadLabelled = (s: Snapshot) => Readonly<Record<string, number>>;

/** Gauges: a value now. Units in the name, per Prometheus naming conventions. */
export const gauges: ReadonlyArray<[name: string, help: string, read: Read]> = [
  ['sigmesh_rooms', 'Rooms with local members.', (s) => s.rooms.rooms],
  ['sigmesh_members', 'Local room members (open room streams).', (s) => s.rooms.members],
  ['sigmesh_mesh_links', 'Open mesh links (signed handshake completed).', (s) => s.mesh.links],
  [
    'sigmesh_mesh_owners',
    'Other nodes whose members count as present here (beats arriving).',
    (s) => s.mesh.owners,
  ],
  [
    'sigmesh_mesh_beat_interval_seconds',
    "This node's beat interval now (--mesh-beat-ms; longer while a room of its spans many nodes).",
    (s) => s.mesh.beatMs / 1000,
  ],
  [
    'sigmesh_mesh_remote_members',
    'Members of other nodes held in rosters for rooms with local members.',
    (s) => s.mesh.remoteMembers,
  ],
  [
    'sigmesh_mesh_presence_links',
    'Links the presence state refers to; above sigmesh_mesh_links means closed links are held.',
    (s) => s.mesh.presenceLinks,
  ],
  [
    'sigmesh_pow_price_hashes',
    'Proof-of-work price for a quiet client now, in expected hashes per request.',
    (s) => s.price,
  ],
  [
    'sigmesh_dht_bootstrapped',
    '1 while the DHT routing table is not empty.',
    (s) => +s.dht.bootstrapped,
  ],
  [
    'sigmesh_dht_routing_table_nodes',
    'Nodes in the DHT routing table.',
    (s) => s.dht.routingTableSize,
  ],
  [
    'sigmesh_turn_allocations',
    'Live TURN allocations on the built-in server.',
    (s) => s.turn.allocations,
  ],
  [
    'sigmesh_http_connections',
    'Open HTTP(S) connections (room streams and incoming mesh links included).',
    (s) => s.connections.open,
  ],
  [
    'sigmesh_turn_tcp_connections',
    'Open TURN client connections over TCP.',
    (s) => s.turn.tcpConnections,
  ],
];

/** Counters: totals since the node started. */
export const counters: ReadonlyArray<[name: string, help: string, read: Read]> = [
  [
    'sigmesh_messages_total',
    'Room messages handled: posted by local members or arrived over the mesh.',
    (s) => s.rooms.messages,
  ],
  [
    'sigmesh_events_delivered_total',
    'Room message events queued to local members.',
    (s) => s.rooms.deliveries,
  ],
  [
    'sigmesh_worker_requests_moved_total',
    'With --workers: requests this worker took to the worker their session or PoW token names.',
    (s) => s.workerMoved,
  ],
  [
    'sigmesh_slow_consumers_cut_total',
    'Members cut because their unsent events passed --member-queue-bytes.',
    (s) => s.rooms.slowConsumersCut,
  ],
  [
    'sigmesh_mesh_frames_received_total',
    'Room frames (anchors, rosters, deltas, wants, withdraws, messages) received from linked nodes.',
    (s) => s.mesh.roomFramesReceived,
  ],
  [
    'sigmesh_mesh_messages_received_total',
    'Room messages (broadcast or addressed) received from linked nodes, before any check.',
    (s) => s.mesh.messageFramesReceived,
  ],
  [
    'sigmesh_mesh_frames_sent_total',
    'Room frames sent to linked nodes (one per link).',
    (s) => s.mesh.framesRelayed,
  ],
  [
    'sigmesh_mesh_frames_dropped_total',
    'Frames dropped by the per-link rate limit.',
    (s) => s.mesh.framesDropped,
  ],
  [
    'sigmesh_mesh_frames_shed_total',
    'Messages not sent over a busy link because their room had used its fair share of it.',
    (s) => s.mesh.framesShed,
  ],
  [
    'sigmesh_mesh_duplicates_dropped_total',
    'Flooded frames dropped as already seen.',
    (s) => s.mesh.duplicatesDropped,
  ],
  [
    'sigmesh_mesh_links_refused_total',
    'Incoming mesh links refused: slots or handshakes full, or the address banned.',
    (s) => s.mesh.linksRefused,
  ],
  [
    'sigmesh_mesh_links_evicted_total',
    'Links sharing no room closed to make room for a newer link.',
    (s) => s.mesh.linksEvicted,
  ],
  [
    'sigmesh_mesh_messages_refused_total',
    "Relayed messages dropped: unknown member, off the owner's route, or over its allowance.",
    (s) => s.mesh.messagesRefused,
  ],
  [
    'sigmesh_mesh_beats_received_total',
    "Other nodes' beat values received, each checked (grows with the nodes of this node's rooms).",
    (s) => s.mesh.beatsReceived,
  ],
  [
    'sigmesh_mesh_presence_refused_total',
    'Anchors, beats, rosters or deltas refused: bad signature, not in the chain, over budget.',
    (s) => s.mesh.presenceRefused,
  ],
  [
    'sigmesh_mesh_violations_total',
    'Protocol violations counted against other nodes (reputation).',
    (s) => s.mesh.violations,
  ],
  [
    'sigmesh_dht_messages_sent_total',
    'KRPC datagrams (queries, answers, errors) the DHT socket sent.',
    (s) => s.dht.messagesSent,
  ],
  [
    'sigmesh_dht_messages_received_total',
    'KRPC datagrams the DHT socket received.',
    (s) => s.dht.messagesReceived,
  ],
  ['sigmesh_turn_allocations_created_total', 'TURN allocations created.', (s) => s.turn.created],
  [
    'sigmesh_turn_allocations_expired_total',
    'TURN allocations expired or deleted.',
    (s) => s.turn.expired,
  ],
  ['sigmesh_turn_requests_total', 'STUN/TURN requests handled.', (s) => s.turn.requests],
  [
    'sigmesh_turn_peers_revoked_total',
    'TURN permissions and channels ended because their peer stopped being an allowed mesh node.',
    (s) => s.turn.peersRevoked,
  ],
  [
    'sigmesh_turn_tcp_unauthenticated_closed_total',
    'TURN TCP connections closed for idling without an allocation.',
    (s) => s.turn.tcpUnauthenticatedClosed,
  ],
  [
    'sigmesh_unpaid_refused_total',
    'Requests without proof-of-work refused past their address allowance (UNPAID_RATE_LIMITED).',
    (s) => s.unpaidRefused,
  ],
];

/** Families with one label. */
export const labelled: ReadonlyArray<
  [name: string, help: string, label: string, type: 'gauge' | 'counter', read: ReadLabelled]
> = [
  [
    'sigmesh_load_ratio',
    'Load as a fraction: event-loop utilization (cpu), memory (mem), their smoothed max (smoothed), and the smoothed share spent refusing unpaid requests (refused), which the price leaves out.',
    'kind',
    'gauge',
    (s) => ({
      cpu: s.load.cpu,
      mem: s.load.mem,
      smoothed: s.load.smoothed,
      refused: s.refusedShare,
    }),
  ],
  [
    'sigmesh_resource_limit',
    'Caps the node runs with, sized from its open-file limit (fd_limit: the soft limit; -1 unknown).',
    'resource',
    'gauge',
    (s) => ({
      fd_limit: s.resources.fdLimit ?? -1,
      fd_reserve: s.resources.fdReserve,
      http_connections: s.resources.maxConnections,
      turn_allocations: s.resources.turnMaxAllocations,
      turn_tcp_connections: s.resources.turnMaxTcpConnections,
    }),
  ],
  [
    'sigmesh_http_connections_refused_total',
    'HTTP(S) connections refused at accept: over the per-address cap, over the total cap, or not acceptable at all (no descriptor left).',
    'reason',
    'counter',
    (s) => ({
      per_address: s.connections.refusedPerAddress,
      total: s.connections.refusedTotal,
      accept_error: s.connections.acceptErrors,
    }),
  ],
  [
    'sigmesh_dht_queries_sent_total',
    'KRPC queries the DHT socket sent, by method (ping, find_node, get_peers, announce_peer, get, put, other).',
    'method',
    'counter',
    (s) => s.dht.queriesSent,
  ],
  [
    'sigmesh_dht_queries_received_total',
    'KRPC queries the DHT socket received, by method.',
    'method',
    'counter',
    (s) => s.dht.queriesReceived,
  ],
  [
    'sigmesh_dht_room_announces_total',
    'Room announces made on the DHT (announce_peer on a room key), by outcome (ok, failed).',
    'outcome',
    'counter',
    (s) => outcomes(s.dht.roomOperations.announce),
  ],
  [
    'sigmesh_dht_room_lookups_total',
    'Room lookups made on the DHT (get_peers on a room key), by outcome (ok, failed).',
    'outcome',
    'counter',
    (s) => outcomes(s.dht.roomOperations.lookup),
  ],
  [
    'sigmesh_dht_room_operation_seconds_total',
    'Time the room announces and lookups took, summed, by operation (announce, lookup).',
    'operation',
    'counter',
    (s) => ({
      announce: s.dht.roomOperations.announce.seconds,
      lookup: s.dht.roomOperations.lookup.seconds,
    }),
  ],
  [
    'sigmesh_turn_relayed_bytes_total',
    'Bytes relayed by TURN, by direction.',
    'direction',
    'counter',
    (s) => s.turn.bytes,
  ],
  [
    'sigmesh_turn_relayed_packets_total',
    'Packets relayed by TURN, by direction.',
    'direction',
    'counter',
    (s) => s.turn.packets,
  ],
  [
    'sigmesh_turn_rejected_total',
    'TURN requests and packets rejected, by sigmesh error code.',
    'code',
    'counter',
    (s) => s.turn.rejected,
  ],
];

/** A room operation count as counter values by outcome. */
function outcomes(count: RoomOperationCount): Record<'ok' | 'failed', number> {
  return { ok: count.ok, failed: count.failed };
}
