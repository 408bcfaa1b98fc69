import type { ErrorSpec } from './error-spec.js';

/**
 * WebTorrent WebSocket tracker dialect refusals (docs/dialects.md § WebTorrent tracker). They
 * travel as a tracker message `{ action, info_hash, "failure reason", code }` on the client's
 * socket, never as an HTTP status, except `TRACKER_TOO_MANY_CONNECTIONS` (the upgrade is refused
 * with that status) and `TRACKER_MESSAGE_TOO_LARGE` (close 1009).
 */
export const trackerErrors = {
  TRACKER_REQUEST_INVALID: {
    status: 400,
    summary:
      'The tracker message is not JSON or not a valid announce or scrape (fields of exactly 20 bytes, offers as { type, sdp }).',
  },
  TRACKER_MESSAGE_TOO_LARGE: {
    status: 413,
    summary: 'A tracker message is larger than --tracker-max-message-bytes (close 1009).',
  },
  TRACKER_PEER_ID_TAKEN: {
    status: 409,
    summary: 'This peer_id is held in this swarm by another live connection.',
  },
  TRACKER_PEER_ID_CHANGED: {
    status: 409,
    summary: 'One connection announces one peer_id per swarm.',
  },
  TRACKER_OFFER_NOT_FOUND: {
    status: 404,
    summary: 'The answer matches no offer this peer was sent, or the offer expired.',
  },
  TRACKER_SCRAPE_REFUSED: {
    status: 400,
    summary: 'A scrape names its info hashes (no full scrape), at most 64 of them.',
  },
  TRACKER_RATE_LIMITED: {
    status: 429,
    summary: 'Too many announces or offers per second from this connection or address.',
  },
  TRACKER_TOO_MANY_SWARMS: {
    status: 429,
    summary: 'This connection or address is in as many swarms as the node allows.',
  },
  TRACKER_TOO_MANY_CONNECTIONS: {
    status: 429,
    summary: 'This address holds as many tracker connections as the node allows.',
  },
  TRACKER_OVERLOADED: {
    status: 503,
    summary: 'The node is too loaded to admit new tracker peers or offers now.',
  },
} as const satisfies Record<string, ErrorSpec>;
