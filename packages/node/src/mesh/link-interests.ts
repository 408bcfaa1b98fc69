import { createHash, createHmac } from 'node:crypto';
import { linkKeyText, type RoomHash } from '@sigmesh/protocol';

/**
 * Room interests of one link, blinded: each side names its rooms only as
 * HMAC-SHA-256(link key, room hash) cut to 16 bytes, under a key both derive from the handshake
 * nonces. A side learns that the other has room R only if it has R itself (or can name it), and
 * the tokens of one link say nothing on another.
 */
export class LinkInterests {
  /** The other side's tokens. */
  readonly #theirs = new Set<string>();
  /** Our rooms' tokens on this link, and back. */
  readonly #tokenOf = new Map<RoomHash, string>();
  readonly #roomOf = new Map<string, RoomHash>();
  /** Rooms both sides have members in. */
  readonly shared = new Set<RoomHash>();
  /** When each shared room became shared, as the mesh noted it (a new direct link settles). */
  readonly sharedSince = new Map<RoomHash, number>();
  readonly #key: Buffer;

  constructor(ourNonce: string, theirNonce: string) {
    this.#key = createHash('sha256').update(linkKeyText(ourNonce, theirNonce)).digest();
  }

  /** The token of `room` on this link. */
  token(room: RoomHash): string {
    return createHmac('sha256', this.#key)
      .update(room)
      .digest()
      .subarray(0, 16)
      .toString('base64url');
  }

  /** We opened `room`: returns its token to announce, and whether it is shared now. */
  addOurs(room: RoomHash): { token: string; shared: boolean } {
    const token = this.#tokenOf.get(room) ?? this.token(room);
    this.#tokenOf.set(room, token);
    this.#roomOf.set(token, room);
    if (this.#theirs.has(token)) this.shared.add(room);
    return { token, shared: this.shared.has(room) };
  }

  /** We closed `room`: returns its token to withdraw (undefined if we never announced it). */
  removeOurs(room: RoomHash): string | undefined {
    const token = this.#tokenOf.get(room);
    if (token === undefined) return undefined;
    this.#tokenOf.delete(room);
    this.#roomOf.delete(token);
    this.shared.delete(room);
    this.sharedSince.delete(room);
    return token;
  }

  /** The other side announced a token: the room it makes shared, if it is one of ours. */
  addTheirs(token: string): RoomHash | undefined {
    this.#theirs.add(token);
    const room = this.#roomOf.get(token);
    if (room === undefined || this.shared.has(room)) return undefined;
    this.shared.add(room);
    return room;
  }

  /** The other side withdrew a token: the shared room it ends, if any. */
  removeTheirs(token: string): RoomHash | undefined {
    this.#theirs.delete(token);
    const room = this.#roomOf.get(token);
    if (room === undefined || !this.shared.delete(room)) return undefined;
    this.sharedSince.delete(room);
    return room;
  }

  /** How many tokens the other side holds with us (bounded by the mesh). */
  get theirCount(): number {
    return this.#theirs.size;
  }
}
