import type { ErrorSpec } from './error-spec.js';

/**
 * Refusals before any route runs: connection caps checked when a TCP connection is accepted, and
 * what Node's HTTP parser or the router reject. The node answers them with `{ code, message }`
 * like every other error (issue 11: no framework-shaped bodies).
 */
export const connectionErrors = {
  TOO_MANY_CONNECTIONS: {
    status: 429,
    summary:
      'This client address already holds --max-connections-per-address connections to the node; close some or retry after Retry-After seconds.',
  },
  CONNECTION_LIMIT: {
    status: 503,
    summary:
      'The node holds as many connections as its limit (--max-connections, derived from its open-file limit); retry after Retry-After seconds or use another node.',
  },
  REQUEST_TIMEOUT: {
    status: 408,
    summary:
      'The request head did not arrive within --headers-timeout-ms, or the whole request within --request-timeout-ms.',
  },
  URL_TOO_LONG: {
    status: 414,
    summary: 'A path segment is longer than the router accepts (100 characters).',
  },
  HEADERS_TOO_LARGE: {
    status: 431,
    summary: 'The request line and headers together exceed 16 KiB.',
  },
} as const satisfies Record<string, ErrorSpec>;
