import { MESH_MAX_CHAIN_LENGTH } from '@sigmesh/protocol';
import type { NodeConfig } from '../config/node-options.js';
import type { PresenceLimits } from './presence/presence-types.js';

/** The mesh's options (docs/limits.md § Mesh links). */
export type MeshConfig = Pick<
  NodeConfig,
  | 'meshMaxLinks'
  | 'meshRoomDegree'
  | 'meshStandbyLinks'
  | 'presenceBatchMembers'
  | 'presenceIntervalMs'
  | 'meshHopLimit'
  | 'meshMaxFrameBytes'
  | 'meshFramesPerSecond'
  | 'meshMaxBufferedBytes'
  | 'meshIdleCloseMs'
  | 'meshHandshakeTimeoutMs'
  | 'meshDedupeSize'
  | 'meshPeers'
  | 'meshMaxPendingLinks'
  | 'meshAdmissionDifficulty'
  | 'meshMaxAdmissionDifficulty'
  | 'meshPingMs'
  | 'meshSilenceMs'
  | 'meshBeatMs'
  | 'meshRoomBeatsPerSecond'
  | 'meshPresenceLeaseMs'
  | 'meshMaxRoomsPerLink'
  | 'meshMaxOwnersPerLink'
  | 'meshMaxMembersPerLink'
  | 'meshMaxMembersPerOwner'
  | 'meshMaxRemoteMembersPerRoom'
  | 'meshMaxRemoteMembers'
  | 'meshOwnerMessagesPerSecond'
  | 'meshBanPoints'
>;

/** A chain lasts ten minutes: a receiver that missed beats checks at most 600 values (default). */
const CHAIN_SECONDS = 600;

/** The limits and timings of remote presence (presence/remote-owners.ts) the mesh options give. */
export function presenceLimits(config: MeshConfig): PresenceLimits {
  return {
    leaseMs: config.meshPresenceLeaseMs,
    forgetMs: Math.max(60_000, config.meshPresenceLeaseMs * 4),
    maxOwnersPerLink: config.meshMaxOwnersPerLink,
    maxMembersPerLink: config.meshMaxMembersPerLink,
    maxMembersPerOwner: config.meshMaxMembersPerOwner,
    maxRemotePerRoom: config.meshMaxRemoteMembersPerRoom,
    maxRemoteTotal: config.meshMaxRemoteMembers,
    ownerMessagesPerSecond: config.meshOwnerMessagesPerSecond,
    ownerMessageBurst: config.meshOwnerMessagesPerSecond * 2,
  };
}

/** Beats in one of our own hash chains: {@link CHAIN_SECONDS} of beats, within the protocol's cap. */
export function ownChainLength(config: MeshConfig): number {
  return Math.min(MESH_MAX_CHAIN_LENGTH, Math.ceil((CHAIN_SECONDS * 1000) / config.meshBeatMs));
}
