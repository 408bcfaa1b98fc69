/**
 * TURN REST API ephemeral credentials (draft-uberti-behave-turn-rest-00, as coturn implements
 * with `use-auth-secret`): username `"<expiry unix seconds>:<id>"`, password
 * `base64(HMAC-SHA1(secret, username))`. Secrets are a list so they can be rotated: credentials
 * are minted with the first and accepted under any.
 */
import { createHmac } from 'node:crypto';

/** Ephemeral TURN credentials as handed to a client. */
export interface TurnCredentials {
  readonly username: string;
  readonly credential: string;
  /** Seconds the credentials stay valid from minting. */
  readonly ttl: number;
  /** Unix seconds at which the server stops accepting them. */
  readonly expiresAt: number;
}

/** Input of {@link mintTurnCredentials}. */
export interface MintTurnCredentialsInput {
  /** Shared secret(s); the first one signs. */
  readonly secret: string | readonly string[];
  /** Who the credentials are for (free text without `:`); becomes the part after the colon. */
  readonly id: string;
  /** Validity in seconds. */
  readonly ttlSeconds: number;
  /** Current time in milliseconds since the epoch. */
  readonly nowMs: number;
}

/** The REST password for `username` under `secret`. */
export function restPassword(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

/** Mints credentials; pure apart from the HMAC. Throws on an empty secret list or a bad ttl. */
export function mintTurnCredentials(input: MintTurnCredentialsInput): TurnCredentials {
  const secret = typeof input.secret === 'string' ? input.secret : input.secret[0];
  if (secret === undefined || secret === '')
    throw new RangeError('mintTurnCredentials needs a secret');
  if (!Number.isInteger(input.ttlSeconds) || input.ttlSeconds <= 0)
    throw new RangeError('ttlSeconds must be a positive integer');
  const expiresAt = Math.floor(input.nowMs / 1000) + input.ttlSeconds;
  const username = `${expiresAt}:${input.id.replaceAll(':', '_')}`;
  return { username, credential: restPassword(secret, username), ttl: input.ttlSeconds, expiresAt };
}

/** The expiry encoded in a REST username, or `undefined` when it does not have that shape. */
export function restUsernameExpiry(username: string): number | undefined {
  const match = /^(\d{1,12}):/.exec(username);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
