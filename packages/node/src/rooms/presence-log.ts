import type { PeerId } from '@sigmesh/protocol';

/** Net presence changes between two points of a log. */
export interface PresenceDelta {
  readonly join: PeerId[];
  readonly leave: PeerId[];
}

/**
 * The joins and leaves of one room, in order, numbered from 0. Each member keeps a cursor (the
 * number of entries it has been told about) and is sent the *net* change since its cursor in one
 * event when it can take it: a member joining and leaving in between cancels out, and a burst of
 * a thousand changes costs one event, not a thousand. The log keeps only what some cursor still
 * needs, and at most `capacity` entries: a member further behind gets a full snapshot instead.
 */
export class PresenceLog {
  #peers: PeerId[] = [];
  #joined: boolean[] = [];
  /** Number of the first entry kept. */
  #start = 0;
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** The number of the next entry: a cursor that has seen everything. */
  get head(): number {
    return this.#start + this.#peers.length;
  }

  append(peer: PeerId, joined: boolean): void {
    this.#peers.push(peer);
    this.#joined.push(joined);
    if (this.#peers.length > this.#capacity) this.trim(this.head - this.#capacity);
  }

  /** Net changes since `cursor`; undefined when the log no longer reaches back that far. */
  since(cursor: number): PresenceDelta | undefined {
    if (cursor < this.#start) return undefined;
    // For each peer its first and last change in the window decide: absent → present is a join,
    // present → absent a leave, anything that ends where it started is no change.
    const first = new Map<PeerId, boolean>();
    const last = new Map<PeerId, boolean>();
    for (let i = cursor - this.#start; i < this.#peers.length; i++) {
      const peer = this.#peers[i]!;
      const joined = this.#joined[i]!;
      if (!first.has(peer)) first.set(peer, joined);
      last.set(peer, joined);
    }
    const join: PeerId[] = [];
    const leave: PeerId[] = [];
    for (const [peer, joined] of last) {
      if (first.get(peer) !== joined) continue;
      (joined ? join : leave).push(peer);
    }
    return { join, leave };
  }

  /** Drops entries before `cursor` (nobody needs them any more). */
  trim(cursor: number): void {
    const drop = Math.min(cursor, this.head) - this.#start;
    if (drop <= 0) return;
    this.#peers = this.#peers.slice(drop);
    this.#joined = this.#joined.slice(drop);
    this.#start += drop;
  }

  /** Entries kept (for tests and memory accounting). */
  get size(): number {
    return this.#peers.length;
  }
}
