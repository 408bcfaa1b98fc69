import { randomBytes } from 'node:crypto';
import type { RoomHash } from '@sigmesh/protocol';
import { DialTargets } from './dial-targets.js';
import { meshCloseCodes } from './mesh-close-codes.js';
import type { MeshLink } from './mesh-link.js';
import { RoomOverlay } from './room-overlay.js';

/** Which links the mesh dials and keeps: the room overlays' picks, static peers, and probes. */
export interface OverlayDialing {
  readonly targets: DialTargets;
  readonly overlay: RoomOverlay;
  /** Marks a link dialed only to verify its node: no room picked it. */
  probe(link: MeshLink): void;
  /**
   * Whether a link still earns its place: we want it (an overlay pick or a static peer), or it
   * shares a room and is not one we dialed only to verify a node — the other node dialed it, so
   * it picked us, and it is the other node's to drop — or it is one of the node's
   * `--mesh-standby-links` oldest links (standby: kept though no room needs it).
   */
  needed(link: MeshLink): boolean;
}

/** Wires {@link RoomOverlay} picks to {@link DialTargets} dials over the mesh's links. */
export function createOverlayDialing(options: {
  degree: number;
  /** Verification links kept while the node holds at most this many links. */
  standby: number;
  now: () => number;
  selfUrl: () => string;
  links: () => Iterable<MeshLink>;
  connect: (url: string) => MeshLink;
  hasLocal: (room: RoomHash) => boolean;
  lookup: (room: RoomHash) => void;
}): OverlayDialing {
  const probes = new WeakSet<MeshLink>();
  const targets: DialTargets = new DialTargets({
    connect: options.connect,
    stillWanted: options.hasLocal,
    failed: (url) => overlay.down(url),
    // A link we dialed that no room's overlay picks any more; one the other node dialed is its
    // to keep (it picked us), and a static peer's stays.
    release: (link) => {
      if (link.dialed && !targets.pinned(link.remoteUrl))
        link.close(meshCloseCodes.normal, 'no room overlay needs this link');
    },
  });
  const overlay: RoomOverlay = new RoomOverlay({
    degree: options.degree,
    seed: randomBytes(16).toString('hex'),
    now: options.now,
    host: {
      selfUrl: options.selfUrl,
      linkedIn: (room) => {
        const urls: string[] = [];
        for (const link of options.links())
          if (link.interests?.shared.has(room) === true && link.remoteUrl !== undefined)
            urls.push(link.remoteUrl);
        return urls;
      },
      linkAt: (url) => {
        for (const link of options.links())
          if (link.remoteUrl === url && link.interests !== undefined)
            return { openedAt: link.openedAt, shared: link.interests.shared };
        return undefined;
      },
      hasLocal: options.hasLocal,
      want: (url, room) => targets.want(url, room),
      unwant: (url, room) => targets.unwant(url, room),
      lookup: options.lookup,
    },
  });
  return {
    targets,
    overlay,
    probe: (link) => probes.add(link),
    needed: (link) => {
      if (targets.wanted(link.remoteUrl)) return true;
      if (!probes.has(link) && (link.interests?.shared.size ?? 0) > 0) return true;
      // Standby: the oldest links stay (a newer one goes, so the set does not churn), whoever
      // dialed them — the other node may keep one we opened to verify it, and the other way.
      let older = 0;
      for (const other of options.links())
        if (other !== link && other.openedAt <= link.openedAt && ++older >= options.standby)
          return false;
      return options.standby > 0;
    },
  };
}
