import { parsed, rejected, type ParseResult } from './parse-result.js';

/**
 * A paid POST in the plain form: `Content-Type: text/plain`, and the credentials that the JSON
 * form sends as headers at the head of the body instead, one line each:
 *
 * ```text
 * <PoW token>\n<session>\n<JSON body>
 * ```
 *
 * Either line may be empty (no proof yet: the node answers 401 with a challenge; no member:
 * the request is priced for its address). The proof-of-work binds the JSON body only — the
 * exact bytes after the second newline, the same bytes the JSON form sends and binds — so a
 * token pays for what is published and for nothing else, and one solve fits either form.
 *
 * Why: a cross-origin `fetch` with only CORS-safelisted headers and a `text/plain` body is a
 * "simple request" (Fetch standard § CORS-safelisted request-header), sent without an `OPTIONS`
 * preflight; `Authorization`, `Sigmesh-Session` and `application/json` each force one.
 */
export interface PlainPost {
  /** The PoW token (`<challenge>.<counter>`); undefined when the line is empty. */
  readonly token: string | undefined;
  /** The member's session from its welcome; undefined when the line is empty. */
  readonly session: string | undefined;
  /** The JSON body: the bytes the proof-of-work is bound to. */
  readonly body: Uint8Array;
}

/** Bytes the two head lines may take: a token (≤ 128), a session, two newlines. */
export const PLAIN_POST_HEAD_MAX_BYTES = 256;

/** The media types of the plain form, as browsers send them (lowercase). */
const PLAIN_TYPES = new Set([
  'text/plain',
  'text/plain;charset=utf-8',
  'text/plain; charset=utf-8',
]);

/** True when a `Content-Type` header names the plain form. */
export function isPlainPostType(contentType: string | undefined): boolean {
  return contentType !== undefined && PLAIN_TYPES.has(contentType.toLowerCase());
}

/** The body text of a plain post. */
export function formatPlainPost(
  token: string | undefined,
  session: string | undefined,
  json: string,
): string {
  return `${token ?? ''}\n${session ?? ''}\n${json}`;
}

/** Token and session characters: base64url, and the token's `.` (pow-token.ts). */
const HEAD_LINE = /^[A-Za-z0-9_.-]*$/;
const NEWLINE = 0x0a;

/** Splits a plain post's exact bytes into its head lines and the JSON body (untrusted input). */
export function parsePlainPost(bytes: Uint8Array): ParseResult<PlainPost> {
  const bad = rejected(
    'BAD_REQUEST',
    'a text/plain post is "<PoW token>\\n<session>\\n<JSON body>" (either line may be empty)',
  );
  const first = bytes.indexOf(NEWLINE);
  const second = first < 0 ? -1 : bytes.indexOf(NEWLINE, first + 1);
  if (second < 0 || second >= PLAIN_POST_HEAD_MAX_BYTES) return bad;
  // ASCII only (checked below), so one byte is one character.
  const token = String.fromCharCode(...bytes.subarray(0, first));
  const session = String.fromCharCode(...bytes.subarray(first + 1, second));
  if (!HEAD_LINE.test(token) || !HEAD_LINE.test(session)) return bad;
  return parsed({
    token: token === '' ? undefined : token,
    session: session === '' ? undefined : session,
    body: bytes.subarray(second + 1),
  });
}
