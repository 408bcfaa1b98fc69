import type { ErrorSpec } from './error-spec.js';

/**
 * TURN errors. On the STUN/TURN port they are STUN error responses (the code in parentheses) or
 * silent drops, counted under these codes in the node's metrics and debug log; over HTTP they are
 * `POST /token` answers.
 */
export const turnErrors = {
  TURN_MALFORMED: {
    status: 400,
    summary:
      'A STUN/TURN message or ChannelData frame could not be parsed, or a request lacked a required attribute (STUN 400).',
  },
  TURN_UNSUPPORTED: {
    status: 400,
    summary:
      'The request asked for something this TURN server does not do: an unknown comprehension-required attribute, TCP relaying, IPv6 relaying on an IPv4 relay, DONT-FRAGMENT, reservations (STUN 420, 440, 442, 443, 508).',
  },
  TURN_CREDENTIALS_INVALID: {
    status: 401,
    summary:
      'TURN credentials are forged, expired, for another realm, or not those the allocation was made with (STUN 401, 441).',
  },
  TURN_NONCE_STALE: {
    status: 401,
    summary:
      'The NONCE is expired or was not issued to this address; retry with the new one (STUN 438).',
  },
  TURN_PEER_FORBIDDEN: {
    status: 403,
    summary:
      'The peer address is loopback, private, link-local, multicast or otherwise not relayable from this node (STUN 403).',
  },
  TURN_ALLOCATION_MISMATCH: {
    status: 409,
    summary:
      'The request needs an allocation that does not exist on this 5-tuple, or Allocate was repeated with a new transaction (STUN 437).',
  },
  TURN_QUOTA_EXCEEDED: {
    status: 429,
    summary:
      'An allocation, permission or channel quota is used up, per credential, per client address or for the whole node (STUN 300, 486, 508); also counted for TCP connections refused over the per-address or total cap.',
  },
  TURN_RATE_LIMITED: {
    status: 429,
    summary:
      'Too many requests from this address, or relayed traffic above the bandwidth cap of the allocation (dropped).',
  },
  TURN_UNAVAILABLE: {
    status: 503,
    summary:
      'TURN is not available: no relay socket could be opened, or this node runs no TURN service.',
  },
} as const satisfies Record<string, ErrorSpec>;
