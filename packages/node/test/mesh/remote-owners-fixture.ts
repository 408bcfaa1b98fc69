import { deriveRoomHash, type PeerId, type RoomHash } from '@sigmesh/protocol';
import { createEphemeralIdentity } from '../../src/index.js';
import { OwnPresence } from '../../src/mesh/presence/own-presence.js';
import { RemoteOwners } from '../../src/mesh/presence/remote-owners.js';
import type { PresenceLimits } from '../../src/mesh/presence/presence-types.js';

// Shared by the remote-owner tests: a table on a fake clock, real owners, two links.

export const room = deriveRoomHash('unit', 'presence');
export const peer = (n: number): PeerId => n.toString(16).padStart(32, '0') as PeerId;
export const limits: PresenceLimits = {
  leaseMs: 4_000,
  forgetMs: 60_000,
  maxOwnersPerLink: 10,
  maxMembersPerLink: 2_000,
  maxMembersPerOwner: 1_500,
  maxRemotePerRoom: 5_000,
  maxRemoteTotal: 10_000,
  ownerMessagesPerSecond: 10,
  ownerMessageBurst: 20,
};

/** A remote-owner table on a fake clock, recording the views it reports. */
export function table(
  overrides: Partial<PresenceLimits> = {},
  directLink?: (owner: string) => object | undefined,
) {
  let now = 1_000_000;
  const view = new Set<PeerId>();
  const gone: string[] = [];
  const askedAgain: [string, { link: object; rooms: RoomHash[] }[]][] = [];
  const owners = new RemoteOwners({
    limits: { ...limits, ...overrides },
    now: () => now,
    onChange: (_room, joined, left) => {
      for (const p of left) view.delete(p);
      for (const p of joined) view.add(p);
    },
    onGone: (owner) => gone.push(owner),
    onVisible: () => undefined,
    askAgain: (owner, links) => askedAgain.push([owner, links]),
    ...(directLink === undefined ? {} : { directLink }),
  });
  owners.openRoom(room);
  return {
    owners,
    view,
    gone,
    askedAgain,
    advance(ms: number) {
      now += ms;
      owners.tick();
    },
    now: () => now,
  };
}

/** A real owner (its own signed frames) on the same fake clock. */
export function owner(
  now: () => number,
  identity = createEphemeralIdentity(),
  pacing = { batchMembers: 256, holdMs: 0 },
) {
  const own = new OwnPresence({ identity, now, beatMs: 1000, chainLength: 100, ...pacing });
  const shared = (): boolean => true;
  return {
    own,
    members(...peers: PeerId[]) {
      for (const p of peers) own.joined(room, p);
      return own.flush(shared).deltas;
    },
    leave(...peers: PeerId[]) {
      for (const p of peers) own.left(room, p);
      return own.flush(shared).deltas;
    },
  };
}

export const linkA = {};
export const linkB = {};
