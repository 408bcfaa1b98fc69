import type { PeerId, RoomHash } from '@sigmesh/protocol';

/** Where a member's events go: a ServerResponse fits, and so does a test double. */
export interface MemberSink {
  /** Bytes accepted by write() but not yet handed to the kernel. */
  readonly writableLength: number;
  write(chunk: Buffer): unknown;
  destroy(): unknown;
}

/** One local member of a room: one open event stream. */
export interface Member {
  readonly peerId: PeerId;
  readonly session: string;
  readonly room: RoomHash;
  readonly clientKey: string;
  readonly sink: MemberSink;
  /** Set once the member is cut or gone; nothing is written after. */
  closed: boolean;
  /** How many of the room's presence entries this member has been told about. */
  cursor: number;
  /** Events queued this turn of the event loop, written together at its end. */
  outbox: Buffer[];
  outboxBytes: number;
}
