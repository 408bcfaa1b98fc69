import type { Room } from '../room.js';

/** A call that was answered: the two people in a room of their own. */
export class Call {
  constructor(
    /** The other person's lasting key (raw ed25519, base64url). */
    readonly peer: string,
    /** The call's id (hex), the same on both sides. */
    readonly id: string,
    /**
     * The call's room, sealed with a password only the two know: add streams, send messages and
     * listen for the peer as in any room (`peer-join`, `track`, `peer-leave` when it hangs up).
     */
    readonly room: Room,
  ) {}

  /** Leaves the call's room (the other side sees `peer-leave`). */
  hangUp(): void {
    this.room.leave();
  }
}
