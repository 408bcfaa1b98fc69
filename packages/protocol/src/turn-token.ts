import { parsePowOffer } from './messages.js';
import type { PowOffer } from './pow-token.js';
import { isRecord, parsed, rejected, type ParseResult } from './parse-result.js';

/**
 * The fields of an RTCIceServer that sigmesh nodes fill (W3C WebRTC §4.2.1); the same object can
 * be handed to `new RTCPeerConnection({ iceServers })`.
 */
export interface TurnIceServer {
  readonly urls: readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

/** `GET /turn` as JSON: ICE servers with TURN REST credentials and their lifetime. */
export interface TurnCredentialsResult {
  readonly iceServers: readonly TurnIceServer[];
  /** Seconds the credentials stay valid. */
  readonly ttl: number;
}

/** `POST /token` as JSON: `GET /turn`'s answer, plus the next challenge. */
export interface TokenResult extends TurnCredentialsResult {
  readonly next: PowOffer;
}

const ICE_URL = /^(stun|stuns|turn|turns):[^\s]{1,300}$/;

function parseIceServer(value: unknown): TurnIceServer | undefined {
  if (!isRecord(value) || !Array.isArray(value.urls) || value.urls.length === 0) return undefined;
  const urls = value.urls.filter(
    (url): url is string => typeof url === 'string' && ICE_URL.test(url),
  );
  if (urls.length !== value.urls.length) return undefined;
  const { username, credential } = value;
  if (username === undefined && credential === undefined) return { urls };
  if (typeof username !== 'string' || typeof credential !== 'string') return undefined;
  return { urls, username, credential };
}

/** Parses a `POST /token` answer from a node. */
export function parseTokenResult(value: unknown): ParseResult<TokenResult> {
  if (!isRecord(value) || !Array.isArray(value.iceServers)) {
    return rejected('BAD_REQUEST', 'a token result needs iceServers');
  }
  const iceServers: TurnIceServer[] = [];
  for (const item of value.iceServers) {
    const server = parseIceServer(item);
    if (server === undefined) return rejected('BAD_REQUEST', 'bad ICE server in token result');
    iceServers.push(server);
  }
  const { ttl } = value;
  if (typeof ttl !== 'number' || !Number.isSafeInteger(ttl) || ttl <= 0) {
    return rejected('BAD_REQUEST', 'bad ttl in token result');
  }
  const next = parsePowOffer(value.next);
  if (!next.ok) return next;
  return parsed({ iceServers, ttl, next: next.value });
}
