/** Mesh counters for `/`, metrics and tests. */
export interface MeshStats {
  links: number;
  framesRelayed: number;
  duplicatesDropped: number;
  linksRefused: number;
  /** Room frames (presence, members, messages) received from linked nodes. */
  roomFramesReceived: number;
  /** Frames dropped by the per-link rate limit (MESH_RATE_LIMITED), over all links. */
  framesDropped: number;
}

/** All counters at zero (a fresh mesh, or a node not started). */
export function emptyMeshStats(): MeshStats {
  return {
    links: 0,
    framesRelayed: 0,
    duplicatesDropped: 0,
    linksRefused: 0,
    roomFramesReceived: 0,
    framesDropped: 0,
  };
}
