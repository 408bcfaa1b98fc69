import type { ErrorSpec } from './error-spec.js';

/** Calls between people (`@sigmesh/client`'s `connectPeople`): raised by the client, never sent by a node. */
export const callErrors = {
  CALL_DECLINED: { status: 403, summary: 'The callee declined the call.' },
  CALL_BUSY: { status: 409, summary: 'The callee is in another call.' },
  CALL_REFUSED: {
    status: 403,
    summary: 'The callee takes calls from contacts only, and the caller is not one of them.',
  },
  CALL_UNANSWERED: {
    status: 408,
    summary: 'Nobody answered within the ring time: the callee is offline or did not pick up.',
  },
  CALL_CANCELLED: { status: 499, summary: 'The caller hung up before the call was answered.' },
  PEER_KEY_INVALID: {
    status: 400,
    summary: 'A peer key is the raw 32-byte ed25519 public key in base64url (43 characters).',
  },
} as const satisfies Record<string, ErrorSpec>;
