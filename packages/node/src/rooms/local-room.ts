import type { PeerId, RoomHash } from '@sigmesh/protocol';
import type { Member } from './member.js';
import { COMMA, encodeIds, MemberIdBlocks } from './member-id-blocks.js';
import type { PresenceRoom } from './presence-fanout.js';
import { PresenceLog } from './presence-log.js';

/** A room with local members on this node, as the room registry holds it. */
export interface LocalRoom extends PresenceRoom {
  readonly sessions: Map<string, Member>;
  /** The local members' ids, encoded for welcomes (same order as `members`). */
  readonly ids: MemberIdBlocks;
  /** Members on other nodes that the mesh counts as present. */
  readonly remote: Set<PeerId>;
}

/** A room about to get its first local member; its presence log keeps `presenceBacklog` changes. */
export function newLocalRoom(hash: RoomHash, presenceBacklog: number): LocalRoom {
  return {
    hash,
    members: new Map(),
    sessions: new Map(),
    ids: new MemberIdBlocks(),
    remote: new Set(),
    log: new PresenceLog(presenceBacklog),
    presenceHold: undefined,
  };
}

/**
 * The room's peers other than `except` as JSON array elements, in pieces whose concatenation is
 * `[...local, ...remote].filter(not except).map(JSON.stringify).join(',')`: the local members'
 * part from cached blocks (shared by every welcome sent while they are unchanged), the remote
 * part encoded here.
 */
export function peerListBytes(room: LocalRoom, except?: PeerId): Buffer[] {
  const pieces = room.ids.encode(except);
  if (room.remote.size > 0) {
    const remote = encodeIds([...room.remote].filter((peerId) => peerId !== except));
    if (remote.length > 0) {
      if (pieces.length > 0) pieces.push(COMMA);
      pieces.push(remote);
    }
  }
  return pieces;
}
