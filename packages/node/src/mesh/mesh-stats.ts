/** Mesh counters for `/`, metrics and tests. */
export interface MeshStats {
  links: number;
  framesRelayed: number;
  duplicatesDropped: number;
  linksRefused: number;
  /** Links closed to make room for another (strangers first). */
  linksEvicted: number;
  /** Room frames (presence, rosters, messages) received from linked nodes. */
  roomFramesReceived: number;
  /** Of those, room messages (broadcast or addressed), before any check. */
  messageFramesReceived: number;
  /** Frames dropped by the per-link rate limit (MESH_RATE_LIMITED), over all links. */
  framesDropped: number;
  /** Messages not sent over a busy link: their room had used its fair share of it (RoomShares). */
  framesShed: number;
  /** Messages not taken: unknown member, off the owner's route, over the owner's allowance. */
  messagesRefused: number;
  /** Of those: from a member no live owner lists here, and over a link off its owner's route. */
  messagesRefusedUnknownMember: number;
  messagesRefusedOffRoute: number;
  /** Anchors, beats, rosters and deltas refused (bad signature, not in the chain, over budget). */
  presenceRefused: number;
  /** Other owners' beat values received (each one checked: what grows with a room's span). */
  beatsReceived: number;
  /** Our own beat interval now (`--mesh-beat-ms`, longer in rooms of many nodes). */
  beatMs: number;
  /** Protocol violations counted against other nodes' reputation. */
  violations: number;
  /** Remote owners known, and remote members held in all rooms. */
  owners: number;
  remoteMembers: number;
  /**
   * Links the presence state refers to (routes, introductions, budgets). At most `links`: a
   * closed or replaced link still counted would be held in memory for as long as its owners live.
   */
  presenceLinks: number;
}

/** All counters at zero (a fresh mesh, or a node not started). */
export function emptyMeshStats(): MeshStats {
  return {
    links: 0,
    framesRelayed: 0,
    duplicatesDropped: 0,
    linksRefused: 0,
    linksEvicted: 0,
    roomFramesReceived: 0,
    messageFramesReceived: 0,
    framesDropped: 0,
    framesShed: 0,
    messagesRefused: 0,
    messagesRefusedUnknownMember: 0,
    messagesRefusedOffRoute: 0,
    presenceRefused: 0,
    beatsReceived: 0,
    beatMs: 0,
    violations: 0,
    owners: 0,
    remoteMembers: 0,
    presenceLinks: 0,
  };
}
