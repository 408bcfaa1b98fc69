import type { ErrorSpec } from './error-spec.js';

/**
 * Errors the client library raises itself (never sent by a node). The status is the HTTP status
 * the situation is closest to, so apps can treat them like node answers.
 */
export const clientErrors = {
  NO_NODE_REACHABLE: {
    status: 503,
    summary:
      'None of the configured, remembered or discovered nodes answered, or all refused the room.',
  },
  POW_TOO_EXPENSIVE: {
    status: 503,
    summary:
      'Every reachable node asks more proof-of-work than the client will pay (`maxPowDifficulty`).',
  },
  ROOM_LEFT: { status: 410, summary: 'The room was left; it cannot send or add streams any more.' },
  PEER_NOT_CONNECTED: {
    status: 404,
    summary: 'The addressed peer is not connected (no open data channel to it).',
  },
  PEER_MESSAGE_TOO_LARGE: {
    status: 413,
    summary:
      'A message is larger than the peer connection carries in one piece (its SCTP max message size); split it.',
  },
  PEER_CONNECTION_FAILED: {
    status: 502,
    summary:
      'WebRTC could not connect to a peer, even after an ICE restart: no route and no usable TURN relay.',
  },
  SIGNAL_UNAUTHENTIC: {
    status: 400,
    summary:
      'A signaling payload failed to decrypt or verify: a wrong room password, tampering on the way, or a box sealed in the old format 1 (no send time). It is dropped.',
  },
  CLIENT_OPTIONS_INVALID: {
    status: 400,
    summary: 'An option passed to the client library is missing or invalid; the message names it.',
  },
  WEBRTC_UNAVAILABLE: {
    status: 501,
    summary:
      'No RTCPeerConnection: outside a browser pass one in (`rtc` option, e.g. from werift).',
  },
  // Prices and fairness (issue 11).
  JOIN_REFUSED: {
    status: 503,
    summary:
      'Nodes answered but none let the client join within joinTimeoutMs (rate limit, overload, price still rising, room limits); `retryAfter` is the earliest a node said it would accept.',
  },
  // A lasting identity (issue 14).
  IDENTITY_UNSUPPORTED: {
    status: 501,
    summary: 'This WebCrypto has no Ed25519, so no lasting identity can be made or used here.',
  },
  IDENTITY_STORE_UNAVAILABLE: {
    status: 501,
    summary:
      'No identity store: outside a browser pass one (a file or memory store), or IndexedDB is missing or refused.',
  },
  IDENTITY_STORE_CORRUPT: {
    status: 422,
    summary:
      'The stored identity cannot be read: not a sigmesh identity, an unknown version, or keys that are damaged or do not match.',
  },
  IDENTITY_NOT_EXPORTABLE: {
    status: 403,
    summary:
      'The identity was made without `exportable: true`: its private key cannot be exported.',
  },
  IDENTITY_IMPORT_INVALID: {
    status: 400,
    summary:
      'The text given to importIdentity is not an exported sigmesh identity of a known version, or its key is damaged.',
  },
} as const satisfies Record<string, ErrorSpec>;
