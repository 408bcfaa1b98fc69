import type { Base64urlDecoder } from './encoding.js';
import { decodeChallenge, isPowScope, type PowChallenge, type PowScope } from './pow-challenge.js';
import { POW_MAX_COUNTER } from './pow-solution.js';
import { parsed, rejected, type ParseResult } from './parse-result.js';

/**
 * A solved challenge travels as `<challenge>.<counter>` (base64url, then decimal), either in
 * `Authorization: PoW <token>` or, where a browser cannot set headers (EventSource), in the
 * `pow` query parameter. Both are RFC 9110 §11.4 token68-style credentials.
 */
export interface PowToken {
  readonly challenge: PowChallenge;
  readonly counter: number;
}

/** Formats a solved challenge as a token. */
export function formatPowToken(challengeText: string, counter: number): string {
  return `${challengeText}.${counter}`;
}

/**
 * Parses `<challenge>.<counter>` from untrusted input; `decode` as in {@link decodeChallenge}.
 */
export function parsePowToken(text: string, decode?: Base64urlDecoder): ParseResult<PowToken> {
  const dot = text.indexOf('.');
  if (dot < 0 || text.length > 128)
    return rejected('POW_MALFORMED', 'a proof-of-work token is <challenge>.<counter>');
  const counterText = text.slice(dot + 1);
  if (!/^(0|[1-9][0-9]{0,15})$/.test(counterText))
    return rejected('POW_MALFORMED', 'the counter must be a decimal integer');
  const counter = Number(counterText);
  if (counter > POW_MAX_COUNTER) return rejected('POW_MALFORMED', 'the counter is too large');
  const challenge = decodeChallenge(text.slice(0, dot), decode);
  if (!challenge.ok) return challenge;
  return parsed({ challenge: challenge.value, counter });
}

/** The `Authorization` header value for a solved challenge. */
export function formatPowAuthorization(challengeText: string, counter: number): string {
  return `PoW ${formatPowToken(challengeText, counter)}`;
}

/** Extracts the token from an `Authorization: PoW <token>` header; undefined for other schemes. */
export function powTokenFromAuthorization(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^PoW\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** A challenge offered by a node in `WWW-Authenticate` or a JSON body. */
export interface PowOffer {
  readonly challenge: string;
  readonly difficulty: number;
  readonly scope: PowScope;
}

/** The `WWW-Authenticate` header value offering a challenge (RFC 9110 §11.6.1 auth-params). */
export function formatPowWwwAuthenticate(offer: PowOffer): string {
  return `PoW challenge="${offer.challenge}", difficulty="${offer.difficulty}", scope="${offer.scope}", algorithm="sha256-lead32"`;
}

/**
 * Parses a `WWW-Authenticate: PoW …` header value (a node's answer: untrusted). A parameter name
 * starts at a word boundary: without the `\b`, every position inside a long run of letters
 * started a match that scanned the rest of the run — quadratic, 5 s of a client's thread for a
 * 100 KB header (found by fuzzing). The difficulty is what the JSON form allows: a decimal
 * integer ≥ 1 (it accepted `0`, `-5`, `1e3` and `0x10`).
 */
export function parsePowWwwAuthenticate(header: string | null | undefined): PowOffer | undefined {
  if (header == null || !/^PoW\s/i.test(header)) return undefined;
  const params = new Map<string, string>();
  for (const match of header.matchAll(/\b([a-z]+)="([^"]*)"/gi))
    params.set(match[1]!.toLowerCase(), match[2]!);
  const challenge = params.get('challenge');
  const difficultyText = params.get('difficulty') ?? '';
  const difficulty = Number(difficultyText);
  const scope = params.get('scope');
  if (
    challenge === undefined ||
    !/^[1-9][0-9]*$/.test(difficultyText) ||
    !Number.isSafeInteger(difficulty) ||
    !isPowScope(scope)
  )
    return undefined;
  if (!decodeChallenge(challenge).ok) return undefined;
  return { challenge, difficulty, scope };
}
