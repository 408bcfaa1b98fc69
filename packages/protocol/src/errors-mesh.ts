import type { ErrorSpec } from './error-spec.js';

/**
 * Node-to-node link failures. They are never HTTP responses to clients: a node closes the link
 * with the WebSocket close code given in parentheses and logs the code at debug.
 */
export const meshErrors = {
  MESH_HANDSHAKE_FAILED: {
    status: 401,
    summary:
      'The other node did not prove its key or pay its admission work: bad or missing signature or proof-of-work, wrong id, another mesh protocol version, or too slow (close 4001).',
  },
  MESH_FRAME_INVALID: {
    status: 400,
    summary:
      'A frame is not one of the mesh frame types, or a room frame came before the handshake (close 4002 when repeated).',
  },
  MESH_FRAME_TOO_LARGE: {
    status: 413,
    summary: 'A frame is larger than --mesh-max-frame-bytes (close 1009).',
  },
  MESH_RATE_LIMITED: {
    status: 429,
    summary:
      'A node sent more frames than --mesh-frames-per-second allows (frames dropped; close 4008 when sustained).',
  },
  MESH_LINK_LIMIT: {
    status: 503,
    summary:
      'This node holds --mesh-max-links links that all share rooms, or --mesh-max-pending-links handshakes (close 4003, HTTP 503); or a link sharing no room was closed to make room for a newer one (close 4005).',
  },
  MESH_NODE_REFUSED: {
    status: 403,
    summary:
      'The node (or, past 4× the points, its address) is refused for protocol violations until its points decay below --mesh-ban-points, or tried to link to itself (close 4004/4012, HTTP 403).',
  },
  MESH_LINK_SILENT: {
    status: 504,
    summary:
      'Nothing (no frame, no pong) came from the linked node for --mesh-silence-ms: it is hung or gone (close 4011).',
  },
  MESH_PRESENCE_REFUSED: {
    status: 400,
    summary:
      'An anchor, beat, roster or delta failed its check (owner signature, hash chain, budget of the link, owner or room) and was dropped; the sender loses reputation.',
  },
  MESH_MESSAGE_REFUSED: {
    status: 403,
    summary:
      "A relayed message was dropped: its sender is not a member its owner lists, it came off the owner's route, or the owner's members passed --mesh-owner-messages-per-second.",
  },
  MESH_DUPLICATE_LINK: {
    status: 409,
    summary:
      'A link between these two nodes exists already; the one dialed by the lower node id is kept (close 4009).',
  },
} as const satisfies Record<string, ErrorSpec>;
