import type { RoomHash } from '@sigmesh/protocol';
import type { MeshLink, RoomFrame } from './mesh-link.js';
import type { MessageRelay } from './message-relay.js';
import type { PresenceSync } from './presence-sync.js';

/** What the room frame handlers need from the mesh. */
export interface RoomFrameContext {
  readonly presence: PresenceSync;
  readonly relay: MessageRelay;
  /** Room interests one link may hold. */
  readonly maxRoomsPerLink: number;
  /** `room` is now shared with `link` (both have members), or no longer. */
  shared(link: MeshLink, room: RoomHash): void;
  unshared(link: MeshLink, room: RoomHash): void;
  violation(link: MeshLink, reason: string, points: number): void;
}

type Handler<F extends RoomFrame> = (ctx: RoomFrameContext, link: MeshLink, frame: F) => void;

/** One handler per room frame type, dispatched through a table the compiler checks. */
export const roomFrameHandlers: { [T in RoomFrame['t']]: Handler<Extract<RoomFrame, { t: T }>> } = {
  interest(ctx, link, frame) {
    const interests = link.interests!;
    for (const token of frame.remove) {
      const room = interests.removeTheirs(token);
      if (room !== undefined) ctx.unshared(link, room);
    }
    for (const token of frame.add) {
      if (interests.theirCount >= ctx.maxRoomsPerLink) {
        ctx.violation(link, 'more room interests than allowed', 5);
        return;
      }
      const room = interests.addTheirs(token);
      if (room !== undefined) ctx.shared(link, room);
    }
  },
  anchor: (ctx, link, frame) => ctx.presence.anchor(link, frame),
  beats: (ctx, link, frame) => ctx.presence.beats(link, frame),
  withdraw: (ctx, link, frame) => ctx.presence.withdraw(link, frame.owners),
  roster: (ctx, link, frame) => {
    if (link.interests!.shared.has(frame.room)) ctx.presence.roster(link, frame);
  },
  delta: (ctx, link, frame) => {
    if (link.interests!.shared.has(frame.room)) ctx.presence.delta(link, frame);
  },
  want: (ctx, link, frame) => ctx.presence.want(link, frame),
  message: (ctx, link, frame) => ctx.relay.received(link, frame),
};
