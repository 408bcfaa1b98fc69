import type { NodeConfig } from './node-options.js';
import type { OptionSpec } from './option-spec.js';

/**
 * The options of the `mesh` group: node-to-node links, their admission and liveness, presence
 * timings, and the budgets that bound what another node can make this one hold or do
 * (docs/limits.md § Mesh links, docs/security.md § The mesh). Part of the one option table
 * (node-option-table.ts), kept in its own file.
 */
export const meshOptionTable = {
  meshMaxLinks: {
    flag: 'mesh-max-links',
    kind: 'integer',
    group: 'mesh',
    min: 1,
    max: 10_000,
    description: 'Node-to-node links (open and handshaking) at once.',
  },
  meshRoomDegree: {
    flag: 'mesh-room-degree',
    kind: 'integer',
    group: 'mesh',
    min: 1,
    max: 64,
    description:
      'Nodes of one room a node links to itself (the rest of the room is reached over their links).',
  },
  meshStandbyLinks: {
    flag: 'mesh-standby-links',
    kind: 'integer',
    group: 'mesh',
    min: 0,
    max: 64,
    description:
      'Links to verified nodes kept open though no room needs them, while the node holds no more links than this (a new room then crosses them at once).',
  },
  meshHopLimit: {
    flag: 'mesh-hop-limit',
    kind: 'integer',
    group: 'mesh',
    min: 0,
    max: 16,
    description: 'Further hops a room frame may travel after the first.',
  },
  meshMaxFrameBytes: {
    flag: 'mesh-max-frame-bytes',
    kind: 'integer',
    group: 'mesh',
    min: 4096,
    max: 16 << 20,
    description:
      'Largest frame accepted on a mesh link (must exceed --max-message-bytes plus framing).',
  },
  meshFramesPerSecond: {
    flag: 'mesh-frames-per-second',
    kind: 'integer',
    group: 'mesh',
    min: 10,
    max: 1_000_000,
    description: 'Frames per second accepted from one linked node (burst 2×).',
  },
  meshMaxBufferedBytes: {
    flag: 'mesh-max-buffered-bytes',
    kind: 'integer',
    group: 'mesh',
    min: 65536,
    max: 1 << 30,
    description: 'Unsent bytes queued for one link before it is cut as not draining.',
  },
  meshIdleCloseMs: {
    flag: 'mesh-idle-close-ms',
    kind: 'integer',
    group: 'mesh',
    min: 100,
    max: 3_600_000,
    description: 'A link sharing no room for this long is closed.',
  },
  meshHandshakeTimeoutMs: {
    flag: 'mesh-handshake-timeout-ms',
    kind: 'integer',
    group: 'mesh',
    min: 100,
    max: 60_000,
    description: 'Time a new link has to complete the signed handshake.',
  },
  meshDedupeSize: {
    flag: 'mesh-dedupe-size',
    kind: 'integer',
    group: 'mesh',
    min: 1000,
    max: 10_000_000,
    description: 'Frame ids remembered for flood dedupe.',
  },
  meshPeers: {
    flag: 'mesh-peers',
    kind: 'list',
    group: 'mesh',
    description:
      'Node URLs to keep mesh links to at all times, besides those discovery finds (repeatable or comma list).',
  },
  meshMaxPendingLinks: {
    flag: 'mesh-max-pending-links',
    kind: 'integer',
    group: 'mesh',
    min: 1,
    max: 10_000,
    description: 'Mesh links still in their handshake at once (4 per address at most).',
  },
  meshAdmissionDifficulty: {
    flag: 'mesh-admission-difficulty',
    kind: 'integer',
    group: 'mesh',
    min: 0,
    max: 0xffff_ffff,
    description:
      'Proof-of-work (expected hashes) a node dialing us pays per link while half our slots are free; doubles 8 times toward full (0: none).',
  },
  meshMaxAdmissionDifficulty: {
    flag: 'mesh-max-admission-difficulty',
    kind: 'integer',
    group: 'mesh',
    min: 1,
    max: 0xffff_ffff,
    description: 'Most admission work asked of a dialing node, and most this node pays to dial.',
  },
  meshPingMs: {
    flag: 'mesh-ping-ms',
    kind: 'integer',
    group: 'mesh',
    min: 50,
    max: 600_000,
    description: 'Ping a linked node that has been silent this long.',
  },
  meshSilenceMs: {
    flag: 'mesh-silence-ms',
    kind: 'integer',
    group: 'mesh',
    min: 100,
    max: 3_600_000,
    description: 'Close a link whose node has been silent (no frame, no pong) this long.',
  },
  meshBeatMs: {
    flag: 'mesh-beat-ms',
    kind: 'integer',
    group: 'mesh',
    min: 100,
    max: 60_000,
    description: "Interval of this node's presence beats (hash-chain values) to linked nodes.",
  },
  meshRoomBeatsPerSecond: {
    flag: 'mesh-room-beats-per-second',
    kind: 'integer',
    group: 'mesh',
    min: 0,
    max: 100_000,
    description:
      'Beat values per second one room may cost each node in it: in a room of more nodes, beats come less often (at most every 32 s); 0: always --mesh-beat-ms.',
  },
  meshPresenceLeaseMs: {
    flag: 'mesh-presence-lease-ms',
    kind: 'integer',
    group: 'mesh',
    min: 300,
    max: 3_600_000,
    description:
      'A node whose beats stop is gone, with its members, after this long (at least 3 of its beat intervals).',
  },
  meshMaxRoomsPerLink: {
    flag: 'mesh-max-rooms-per-link',
    kind: 'integer',
    group: 'mesh',
    min: 1,
    max: 10_000_000,
    description: 'Room interests one linked node may hold with us.',
  },
  meshMaxOwnersPerLink: {
    flag: 'mesh-max-owners-per-link',
    kind: 'integer',
    group: 'mesh',
    min: 1,
    max: 1_000_000,
    description: 'Nodes (member owners) one link may introduce to us.',
  },
  meshMaxMembersPerLink: {
    flag: 'mesh-max-members-per-link',
    kind: 'integer',
    group: 'mesh',
    min: 1,
    max: 100_000_000,
    description: 'Remote members the rosters one link introduced may hold in all.',
  },
  meshMaxMembersPerOwner: {
    flag: 'mesh-max-members-per-owner',
    kind: 'integer',
    group: 'mesh',
    min: 1,
    max: 10_000_000,
    description: 'Members one other node may list in one room.',
  },
  meshMaxRemoteMembersPerRoom: {
    flag: 'mesh-max-remote-members-per-room',
    kind: 'integer',
    group: 'mesh',
    min: 1,
    max: 100_000_000,
    description: 'Remote members held for one room, all nodes together.',
  },
  meshMaxRemoteMembers: {
    flag: 'mesh-max-remote-members',
    kind: 'integer',
    group: 'mesh',
    min: 1,
    max: 100_000_000,
    description: 'Remote members held for all rooms together (memory bound).',
  },
  meshOwnerMessagesPerSecond: {
    flag: 'mesh-owner-messages-per-second',
    kind: 'integer',
    group: 'mesh',
    min: 1,
    max: 10_000_000,
    description: 'Messages per second taken from the members of one other node (burst 2×).',
  },
  meshBanPoints: {
    flag: 'mesh-ban-points',
    kind: 'integer',
    group: 'mesh',
    min: 1,
    max: 1_000_000,
    description:
      'Violation points (halving every 10 min) at which a node is refused links; its address at 4×.',
  },
} as const satisfies Partial<Record<keyof NodeConfig, OptionSpec>>;
