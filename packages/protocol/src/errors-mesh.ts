import type { ErrorSpec } from './error-spec.js';

/**
 * Node-to-node link failures. They are never HTTP responses to clients: a node closes the link
 * with the WebSocket close code given in parentheses and logs the code at debug.
 */
export const meshErrors = {
  MESH_HANDSHAKE_FAILED: {
    status: 401,
    summary:
      'The other node did not prove its key: bad or missing signature, wrong id, or too slow (close 4001).',
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
    summary: 'This node holds --mesh-max-links links already (close 4003).',
  },
  MESH_DUPLICATE_LINK: {
    status: 409,
    summary:
      'A link between these two nodes exists already; the one dialed by the lower node id is kept (close 4009).',
  },
} as const satisfies Record<string, ErrorSpec>;
