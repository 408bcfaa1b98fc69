import type { InboxRole, PeerId, PresenceEvent, RoomHash } from '@sigmesh/protocol';
import type { RoomMessage } from './room-observer.js';

/** A member's event stream (SSE): bytes, with the stream's own backpressure. A ServerResponse fits. */
export interface StreamSink {
  /** Bytes accepted by write() but not yet handed to the kernel. */
  readonly writableLength: number;
  write(chunk: Buffer): unknown;
  /** Holds writes until uncork() sends them together (a ServerResponse has both). */
  cork?(): void;
  uncork?(): void;
  destroy(): unknown;
}

/**
 * A member served inside the node — a dialect's connection (a tracker peer, a Nostr
 * subscription) — that takes room events as values and does its own flow control.
 */
export interface EventSink {
  readonly kind: 'events';
  /** A message for this member (a broadcast, or addressed to it). */
  message(message: RoomMessage): void;
  /** The room's membership changed since the last call (net joins and leaves, or a resync). */
  presence(change: PresenceEvent): void;
}

/** Where a member's events go. */
export type MemberSink = StreamSink | EventSink;

/** True for a member served inside the node. */
export function isEventSink(sink: MemberSink): sink is EventSink {
  return (sink as Partial<EventSink>).kind === 'events';
}

/** One local member of a room: one open event stream, or one dialect connection's presence. */
export interface Member {
  readonly peerId: PeerId;
  readonly session: string;
  readonly room: RoomHash;
  readonly clientKey: string;
  readonly sink: MemberSink;
  /**
   * In an inbox: `owner` hears of every member and message, `guest` only of messages addressed
   * to it. Undefined in rooms.
   */
  readonly role?: InboxRole;
  /** Set once the member is cut or gone; nothing is written after. */
  closed: boolean;
  /** How many of the room's presence entries this member has been told about. */
  cursor: number;
  /** Events queued this turn of the event loop, written together at its end (streams only). */
  outbox: Buffer[];
  outboxBytes: number;
}
