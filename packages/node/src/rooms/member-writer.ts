import type { Logger } from '../log/create-logger.js';
import { isEventSink, type Member } from './member.js';

/**
 * Outboxes at least this large are written piece by piece under one cork (one system call, no
 * copy: a welcome's shared member-list blocks); smaller ones are joined into one buffer, which
 * costs less than a write call per piece.
 */
const CORK_BYTES = 16 * 1024;

/**
 * Writes members' events, once per turn of the event loop: everything queued for one member in
 * a turn leaves in one write (one system call where there were many). The unsent bytes of a
 * member are bounded: when its stream still holds bytes the kernel has not taken (it is not
 * reading) and the new event would take them past `queueBytes`, the member is cut instead — its
 * stream is destroyed, and the stream's close handler removes it from the room. A member that has
 * kept up may get a burst larger than the queue in one turn (a big welcome, a thousand messages
 * relayed at once), up to four times the queue.
 */
export class MemberWriter {
  readonly #queueBytes: number;
  readonly #burstBytes: number;
  readonly #log: Logger;
  readonly #cut: () => void;
  readonly #beforeWrite: () => void;
  readonly #pending = new Set<Member>();
  #scheduled = false;

  constructor(options: {
    queueBytes: number;
    log: Logger;
    /** Counts a cut. */
    cut: () => void;
    /** Runs at the start of each write turn (presence is queued then). */
    beforeWrite: () => void;
  }) {
    this.#queueBytes = options.queueBytes;
    this.#burstBytes = options.queueBytes * 4;
    this.#log = options.log;
    this.#cut = options.cut;
    this.#beforeWrite = options.beforeWrite;
  }

  /**
   * Queues `chunk` (one event, or one event in pieces that may be shared with other members) for
   * a stream member; false when the member is gone or was cut for it.
   */
  enqueue(member: Member, chunk: Buffer | readonly Buffer[]): boolean {
    const { sink } = member;
    if (member.closed || isEventSink(sink)) return false;
    const length = Buffer.isBuffer(chunk) ? chunk.length : byteLength(chunk);
    const waiting = sink.writableLength;
    const slow =
      waiting > 0
        ? waiting + member.outboxBytes + length > this.#queueBytes
        : member.outboxBytes > 0 && member.outboxBytes + length > this.#burstBytes;
    if (slow) {
      this.#cutMember(member);
      return false;
    }
    if (Buffer.isBuffer(chunk)) member.outbox.push(chunk);
    else member.outbox.push(...chunk);
    member.outboxBytes += length;
    this.#pending.add(member);
    this.schedule();
    return true;
  }

  /** Makes sure a write turn runs soon. */
  schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#flush());
  }

  /** Drops what was queued for a member that is gone. */
  forget(member: Member): void {
    this.#pending.delete(member);
    member.outbox = [];
    member.outboxBytes = 0;
  }

  #flush(): void {
    this.#scheduled = false;
    this.#beforeWrite();
    for (const member of this.#pending) {
      const { outbox, outboxBytes } = member;
      member.outbox = [];
      member.outboxBytes = 0;
      const { sink } = member;
      if (member.closed || outbox.length === 0 || isEventSink(sink)) continue;
      if (outbox.length === 1) sink.write(outbox[0]!);
      else if (outboxBytes >= CORK_BYTES && sink.cork !== undefined && sink.uncork !== undefined) {
        // One write system call for the lot, without copying the pieces into one buffer.
        sink.cork();
        for (const piece of outbox) sink.write(piece);
        sink.uncork();
      } else sink.write(Buffer.concat(outbox));
    }
    this.#pending.clear();
  }

  #cutMember(member: Member): void {
    member.closed = true;
    this.forget(member);
    this.#cut();
    this.#log.debug(
      { code: 'ROOM_SLOW_CONSUMER', peerId: member.peerId, room: member.room },
      'cut slow room member',
    );
    if (!isEventSink(member.sink)) member.sink.destroy();
  }
}

function byteLength(pieces: readonly Buffer[]): number {
  let length = 0;
  for (const piece of pieces) length += piece.length;
  return length;
}
