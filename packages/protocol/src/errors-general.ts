import type { ErrorSpec } from './error-spec.js';

/** Errors any endpoint can return. */
export const generalErrors = {
  BAD_JSON: { status: 400, summary: 'The request body is not valid JSON.' },
  BAD_REQUEST: {
    status: 400,
    summary: 'The request is malformed (a parameter or header is missing or invalid).',
  },
  NOT_FOUND: { status: 404, summary: 'No such route.' },
  BODY_TOO_LARGE: { status: 413, summary: 'The request body is larger than the node accepts.' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    summary:
      'The request body must be application/json (or text/plain in the plain form, for the paid posts).',
  },
  RATE_LIMITED: {
    status: 429,
    summary:
      "This client's recent paid requests priced it above the node's cap; the same request is accepted after Retry-After seconds.",
  },
  NODE_OVERLOADED: {
    status: 503,
    summary:
      "The node's load priced proof-of-work above its cap; retry after Retry-After seconds or use another node.",
  },
  NODE_STOPPING: {
    status: 503,
    summary:
      'The node is stopping (draining its members) and takes no new room joins; join another node, or this one after Retry-After seconds.',
  },
  INTERNAL_ERROR: {
    status: 500,
    summary: 'The node failed unexpectedly; the problem is logged on the node.',
  },
  NODE_UNREACHABLE: {
    status: 502,
    summary: 'A client could not reach the node (network error or non-sigmesh answer).',
  },
  APP_NOT_BUILT: {
    status: 503,
    summary:
      'This node serves no demo app at /app/: @sigmesh/demo was not built (or not installed) when the node started.',
  },
  // Prices and fairness (issue 11).
  UNPAID_RATE_LIMITED: {
    status: 429,
    summary:
      'Too many requests without proof-of-work from this address; the next is accepted after Retry-After seconds.',
  },
  BAD_UTF8: {
    status: 400,
    summary:
      'The request body is not valid UTF-8 (JSON must be UTF-8); the node relays no repaired text.',
  },
} as const satisfies Record<string, ErrorSpec>;
