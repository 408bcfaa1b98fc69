import type { ErrorSpec } from './error-spec.js';

/** BEP 44 proxy failures (`GET /dht-get`, `POST /dht-put`) and DHT availability. */
export const dhtErrors = {
  DHT_ITEM_INVALID: {
    status: 400,
    summary:
      'A DHT item needs `k` (32-byte ed25519 key, hex), `sig` (64 bytes, hex), `seq` (integer ≥ 0), `v` (base64url) and optional `salt` (base64url).',
  },
  DHT_SIGNATURE_INVALID: {
    status: 400,
    summary:
      'The ed25519 signature does not verify over the BEP 44 encoding `salt…seq…v…` with key `k`.',
  },
  DHT_VALUE_TOO_LARGE: {
    status: 413,
    summary: 'The item value is larger than 996 bytes (1000 bytes bencoded, the BEP 44 limit).',
  },
  DHT_SALT_TOO_LARGE: { status: 400, summary: 'The salt is longer than 64 bytes (BEP 44).' },
  DHT_SEQ_STALE: {
    status: 409,
    summary:
      'The DHT already holds this key with an equal or higher `seq`; read it and put with a higher one.',
  },
  DHT_CAS_MISMATCH: {
    status: 409,
    summary:
      'The `cas` sequence number does not match the stored item (BEP 44 error 301); read it again.',
  },
  DHT_NOT_FOUND: {
    status: 404,
    summary: 'No DHT node answered with an item for this key and salt.',
  },
  DHT_UNAVAILABLE: {
    status: 503,
    summary:
      'The node is not connected to the DHT (not bootstrapped, or every query failed); retry later or use another node.',
  },
} as const satisfies Record<string, ErrorSpec>;
