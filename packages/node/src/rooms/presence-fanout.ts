import type { PeerId, PresenceEvent, RoomHash } from '@sigmesh/protocol';
import type { NodeConfig } from '../config/node-options.js';
import { isEventSink, type Member } from './member.js';
import type { MemberWriter } from './member-writer.js';
import type { PresenceDelta, PresenceLog } from './presence-log.js';
import { sseChunk } from './sse-chunk.js';

/** What presence needs of a room. */
export interface PresenceRoom {
  readonly hash: RoomHash;
  readonly members: Map<PeerId, Member>;
  readonly log: PresenceLog;
  /** Runs while a large room's presence is held back after a send. */
  presenceHold: NodeJS.Timeout | undefined;
}

/** One presence change, shared by every member whose cursor is the same and not in it. */
interface PresenceShare {
  readonly change: PresenceEvent;
  /** Peers the change names: a member named in it gets a copy without itself. */
  readonly named: ReadonlySet<PeerId>;
  chunk: Buffer | undefined;
}

/**
 * Presence to a node's room members: one `presence` event per member per turn carrying the net
 * joins and leaves since that member's cursor ({@link PresenceLog}), and only when the member's
 * stream has nothing waiting — a burst of a thousand changes is one event, so a member that reads
 * promptly is never cut for it. Members told at the same moment share a cursor, so their change
 * is computed and encoded once. A room of more than `presenceBatchMembers` local members is told
 * at most every `presenceIntervalMs` (the first change after a quiet spell at once): filling a
 * room of N then costs O(N × fill time / interval) presence events instead of O(N²).
 */
export class PresenceFanout {
  readonly #pending = new Set<PresenceRoom>();
  readonly #limits: Pick<NodeConfig, 'presenceBatchMembers' | 'presenceIntervalMs'>;
  readonly #writer: MemberWriter;
  /** Every peer in a room but one (the whole view, for a member too far behind). */
  readonly #peers: (room: RoomHash, except: PeerId) => PeerId[];

  constructor(options: {
    limits: Pick<NodeConfig, 'presenceBatchMembers' | 'presenceIntervalMs'>;
    writer: MemberWriter;
    peers: (room: RoomHash, except: PeerId) => PeerId[];
  }) {
    this.#limits = options.limits;
    this.#writer = options.writer;
    this.#peers = options.peers;
  }

  /** `peer` joined or left `room`: its members hear of it at the next write turn they can take. */
  changed(room: PresenceRoom, peer: PeerId, joined: boolean): void {
    room.log.append(peer, joined);
    this.#pending.add(room);
    this.#writer.schedule();
  }

  /** A member's stream drained: it can take the presence it was held back from. */
  drained(room: PresenceRoom, member: Member): void {
    if (member.closed || member.cursor === room.log.head) return;
    this.#pending.add(room);
    this.#writer.schedule();
  }

  /** The room closed: nothing more goes to it. */
  forget(room: PresenceRoom): void {
    this.#pending.delete(room);
    clearTimeout(room.presenceHold);
    room.presenceHold = undefined;
  }

  /**
   * Sends each member of the rooms with news its net presence change, when it can take it (run
   * at the start of every write turn). A large room just told waits out its hold; its news stays
   * pending until the hold ends.
   */
  flush(): void {
    for (const room of this.#pending) {
      if (room.presenceHold !== undefined) continue;
      this.#pending.delete(room);
      const head = room.log.head;
      let oldest = head;
      let told = false;
      const shares = new Map<number, PresenceShare | undefined>();
      for (const member of room.members.values()) {
        // An inbox's guests are told of nobody.
        if (member.role === 'guest') member.cursor = head;
        const ready = isEventSink(member.sink) || member.sink.writableLength === 0;
        if (member.cursor !== head && !member.closed && ready) {
          this.#send(room, member, head, shares);
          told = true;
        }
        oldest = Math.min(oldest, member.cursor);
      }
      room.log.trim(oldest);
      if (told) this.#hold(room);
    }
  }

  /** After a large room was told, its next presence waits `presenceIntervalMs`. */
  #hold(room: PresenceRoom): void {
    const { presenceBatchMembers, presenceIntervalMs } = this.#limits;
    if (presenceIntervalMs === 0 || room.members.size <= presenceBatchMembers) return;
    room.presenceHold = setTimeout(() => {
      room.presenceHold = undefined;
      if (this.#pending.has(room)) this.#writer.schedule();
    }, presenceIntervalMs);
    room.presenceHold.unref();
  }

  #send(
    room: PresenceRoom,
    member: Member,
    head: number,
    shares: Map<number, PresenceShare | undefined>,
  ): void {
    const cursor = member.cursor;
    member.cursor = head;
    let share = shares.get(cursor);
    if (share === undefined && !shares.has(cursor)) {
      share = presenceShare(room.log.since(cursor));
      shares.set(cursor, share);
    }
    let change: PresenceEvent;
    let chunk: Buffer | undefined;
    if (share === undefined) {
      // Too far behind for the backlog: the whole view instead.
      change = { members: this.#peers(room.hash, member.peerId) };
    } else if (share.named.has(member.peerId)) {
      const { join, leave } = share.change as { join: PeerId[]; leave: PeerId[] };
      change = {
        join: join.filter((peer) => peer !== member.peerId),
        leave: leave.filter((peer) => peer !== member.peerId),
      };
      if (change.join.length === 0 && change.leave.length === 0) return;
    } else {
      if (share.named.size === 0) return;
      change = share.change;
      if (!isEventSink(member.sink)) chunk = share.chunk ??= sseChunk('presence', change);
    }
    if (isEventSink(member.sink)) member.sink.presence(change);
    else this.#writer.enqueue(member, chunk ?? sseChunk('presence', change));
  }
}

/** The change a cursor's members share; undefined when the log no longer reaches that cursor. */
function presenceShare(delta: PresenceDelta | undefined): PresenceShare | undefined {
  if (delta === undefined) return undefined;
  return {
    change: { join: delta.join, leave: delta.leave },
    named: new Set([...delta.join, ...delta.leave]),
    chunk: undefined,
  };
}
