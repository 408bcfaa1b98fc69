import type { ErrorSpec } from './error-spec.js';

/**
 * Proof-of-work failures. Each has its own code so clients and operators can tell a bug
 * (malformed, wrong scope) from an attack (forged, replayed) from normal churn (expired, underpriced).
 * All are 401 with a fresh challenge in `WWW-Authenticate`, except the malformed header (400).
 */
export const powErrors = {
  POW_REQUIRED: {
    status: 401,
    summary:
      'This request needs a proof-of-work solution; solve the challenge in WWW-Authenticate.',
  },
  POW_MALFORMED: {
    status: 400,
    summary: 'The proof-of-work token is not `<challenge>.<counter>` in base64url and decimal.',
  },
  POW_FORGED: {
    status: 401,
    summary:
      "The challenge's MAC does not match: it was not issued by this node (or the node restarted).",
  },
  POW_EXPIRED: {
    status: 401,
    summary: 'The challenge is past its time-to-live (or issued in the future).',
  },
  POW_WRONG_SCOPE: {
    status: 401,
    summary: 'The challenge was issued for another route or another client address.',
  },
  POW_UNDERPRICED: {
    status: 401,
    summary: "The challenge's difficulty is below this client's current price.",
  },
  POW_WRONG_SOLUTION: {
    status: 401,
    summary: 'The counter does not solve the challenge for this request body.',
  },
  POW_REPLAYED: { status: 401, summary: 'This challenge was already used once.' },
  POW_TOO_EXPENSIVE: {
    status: 503,
    summary: "A client gave up because every node's price was above its budget.",
  },
} as const satisfies Record<string, ErrorSpec>;
