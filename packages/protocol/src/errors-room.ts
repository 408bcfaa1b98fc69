import type { ErrorSpec } from './error-spec.js';

/** Room channel failures (`/room/HASH`). */
export const roomErrors = {
  ROOM_HASH_INVALID: {
    status: 400,
    summary: 'A room hash is 40 lowercase hexadecimal characters (20 bytes).',
  },
  ROOM_MESSAGE_INVALID: {
    status: 400,
    summary: 'A room post is `{ "data": <JSON>, "to"?: <peer id> }` and nothing else.',
  },
  ROOM_SESSION_INVALID: {
    status: 403,
    summary:
      'The session token does not belong to a live member of this room: nobody can speak as another peer.',
  },
  ROOM_PEER_NOT_FOUND: { status: 404, summary: 'The addressed peer is not a member of this room.' },
  ROOM_FULL: { status: 503, summary: 'The room has as many members on this node as it allows.' },
  ROOM_LIMIT_REACHED: { status: 503, summary: 'The node holds as many rooms as it allows.' },
  ROOM_TOO_MANY_STREAMS: {
    status: 429,
    summary: 'This client address has as many open room streams on this node as it allows.',
  },
  ROOM_SLOW_CONSUMER: {
    status: 503,
    summary:
      'The member read its stream too slowly; its queue filled and the node closed the stream.',
  },
  INBOX_OWNER_INVALID: {
    status: 403,
    summary:
      "The join's owner proof is malformed, stale, for another inbox or node, or its signature does not verify: only the key's owner listens as an inbox's owner.",
  },
  ROOM_HASH_RESERVED: {
    status: 400,
    summary:
      'The hash is an inbox (it starts with the inbox prefix): only `GET /room/HASH`, as owner or guest, may join it.',
  },
} as const satisfies Record<string, ErrorSpec>;
