import type { PeerId, RoomHash } from '@sigmesh/protocol';
import type { Member } from './member.js';

/** A message as it travels between nodes: the id is fixed at the origin so copies can be deduped. */
export interface RoomMessage {
  readonly id: string;
  readonly room: RoomHash;
  readonly from: PeerId;
  readonly to?: PeerId;
  readonly data: unknown;
}

/** What the mesh hears from the local rooms. */
export interface RoomObserver {
  /** A room got its first local member. */
  roomOpened(room: RoomHash): void;
  /** A room lost its last local member. */
  roomClosed(room: RoomHash): void;
  memberJoined(member: Member): void;
  memberLeft(member: Member): void;
  /** A local member published; `to` may be a remote peer. */
  published(message: RoomMessage): void;
}
