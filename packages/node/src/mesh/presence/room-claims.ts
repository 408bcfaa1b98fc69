import type { PeerId, RoomHash } from '@sigmesh/protocol';
import type { OwnerState } from './owner-state.js';

/**
 * The remote members present in each room we hold, by the owner holding each one's claim. A
 * member belongs to the first live owner that lists it: another owner listing the same id is
 * ignored (ids are random per join, so two honest owners never share one). Reports every change
 * as joins and leaves per room.
 */
export class RoomClaims {
  readonly #rooms = new Map<RoomHash, Map<PeerId, OwnerState>>();
  readonly #onChange: (room: RoomHash, joined: PeerId[], left: PeerId[]) => void;

  constructor(onChange: (room: RoomHash, joined: PeerId[], left: PeerId[]) => void) {
    this.#onChange = onChange;
  }

  open(room: RoomHash): void {
    if (!this.#rooms.has(room)) this.#rooms.set(room, new Map());
  }

  /** Forgets a room's claims without reporting them (nobody here needs them any more). */
  close(room: RoomHash): void {
    this.#rooms.delete(room);
  }

  holds(room: RoomHash): boolean {
    return this.#rooms.has(room);
  }

  ownerOf(room: RoomHash, peer: PeerId): OwnerState | undefined {
    return this.#rooms.get(room)?.get(peer);
  }

  members(room: RoomHash): PeerId[] {
    return [...(this.#rooms.get(room)?.keys() ?? [])];
  }

  /** `owner` now lists `added` and no longer `removed` in `room` (as far as it counts). */
  change(
    owner: OwnerState,
    room: RoomHash,
    added: Iterable<PeerId>,
    removed: Iterable<PeerId>,
  ): void {
    const claims = this.#rooms.get(room);
    if (claims === undefined) return;
    const joined: PeerId[] = [];
    const left: PeerId[] = [];
    for (const peer of removed) {
      if (claims.get(peer) !== owner) continue;
      claims.delete(peer);
      left.push(peer);
    }
    for (const peer of added) {
      if (claims.has(peer)) continue;
      claims.set(peer, owner);
      joined.push(peer);
    }
    if (joined.length > 0 || left.length > 0) this.#onChange(room, joined, left);
  }
}
