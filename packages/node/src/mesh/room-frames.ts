import type { MeshFrame, PresenceFrame, RelayFrame, RoomHash } from '@sigmesh/protocol';
import type { RoomRegistry } from '../rooms/room-registry.js';
import type { RoomMessage } from '../rooms/room-observer.js';
import type { MeshLink } from './mesh-link.js';
import type { MeshStats } from './mesh-stats.js';
import type { SeenIds } from './seen-ids.js';

/** The frames that flow once a link is open. */
export type RoomFrame = Exclude<MeshFrame, { t: 'hello' } | { t: 'auth' }>;

/** What the room frame handlers need from the mesh. */
export interface RoomFrameContext {
  readonly rooms: RoomRegistry;
  readonly seen: SeenIds;
  readonly stats: MeshStats;
  /** Sends to every linked node interested in the frame's room, except `from`. */
  flood(frame: PresenceFrame | RelayFrame, from: MeshLink | undefined): void;
  /** Routes toward an addressee when its route is known, else floods. */
  relay(frame: RelayFrame, from: MeshLink | undefined): void;
  /** Sends the peers we can reach in `room` to `link`. */
  sendMembers(link: MeshLink, room: RoomHash): void;
}

type Handler<F extends RoomFrame> = (ctx: RoomFrameContext, link: MeshLink, frame: F) => void;

/**
 * One handler per room frame type, dispatched through a table the compiler checks. `via` (the
 * link's node id) is recorded as the route of every peer a frame tells us about.
 */
export const roomFrameHandlers: { [T in RoomFrame['t']]: Handler<Extract<RoomFrame, { t: T }>> } = {
  interest(ctx, link, frame) {
    for (const room of frame.add) {
      link.interests.add(room);
      if (ctx.rooms.hasLocalMembers(room)) ctx.sendMembers(link, room);
    }
    for (const room of frame.remove) {
      link.interests.delete(room);
      // The node left the room: whoever we reached through it there is gone.
      for (const peerId of ctx.rooms.remotePeers(room)) {
        if (ctx.rooms.routeOf(room, peerId) === link.remoteId)
          ctx.rooms.removeRemote(room, peerId, link.remoteId);
      }
    }
  },

  members(ctx, link, frame) {
    for (const peer of frame.peers) ctx.rooms.addRemote(frame.room, peer, link.remoteId!);
  },

  presence(ctx, link, frame) {
    if (!ctx.seen.add(frame.id)) {
      ctx.stats.duplicatesDropped++;
      return;
    }
    if (frame.joined) ctx.rooms.addRemote(frame.room, frame.peer, link.remoteId!);
    else ctx.rooms.removeRemote(frame.room, frame.peer, link.remoteId);
    if (frame.hops > 0) ctx.flood({ ...frame, hops: frame.hops - 1 }, link);
  },

  message(ctx, link, frame) {
    if (!ctx.seen.add(frame.id)) {
      ctx.stats.duplicatesDropped++;
      return;
    }
    if (!ctx.rooms.hasLocalMembers(frame.room)) return;
    ctx.rooms.deliver(toRoomMessage(frame));
    const arrived = frame.to !== undefined && ctx.rooms.isLocal(frame.room, frame.to);
    if (frame.hops > 0 && !arrived) ctx.relay({ ...frame, hops: frame.hops - 1 }, link);
  },
};

function toRoomMessage(frame: RelayFrame): RoomMessage {
  const { id, room, from, to, data } = frame;
  return to === undefined ? { id, room, from, data } : { id, room, from, to, data };
}
