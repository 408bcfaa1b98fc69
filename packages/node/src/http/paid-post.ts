import {
  isPlainPostType,
  parsePlainPost,
  powTokenFromAuthorization,
  sigmeshError,
} from '@sigmesh/protocol';
import type { IncomingHttpHeaders } from 'node:http';
import { SESSION_HEADER } from './request-payer.js';

/** A paid POST's credentials and the JSON body its proof-of-work is bound to. */
export interface PaidPost {
  readonly token: string | undefined;
  readonly session: string | string[] | undefined;
  /** The exact JSON bytes: what the proof binds and what the route reads. */
  readonly body: Buffer;
}

/**
 * A paid POST in either form. The JSON form: the body is the JSON, the token in
 * `Authorization: PoW`, the session in `Sigmesh-Session`. The plain form (`text/plain`, what a
 * browser sends cross-origin without a preflight): both at the head of the body
 * (`@sigmesh/protocol` plain-post.ts), and the JSON after it, at most `maxMessageBytes` like a
 * JSON body; the proof binds that JSON alone in both forms. Throws BAD_REQUEST for a plain body
 * without its head, BODY_TOO_LARGE for an oversized JSON in it, UNSUPPORTED_MEDIA_TYPE for
 * text/plain in another charset.
 */
export function paidPost(
  headers: IncomingHttpHeaders,
  body: Buffer,
  maxMessageBytes: number,
): PaidPost {
  const type = headers['content-type'];
  if (!type?.toLowerCase().startsWith('text/plain'))
    return {
      token: powTokenFromAuthorization(headers.authorization),
      session: headers[SESSION_HEADER],
      body,
    };
  if (!isPlainPostType(type))
    throw sigmeshError('UNSUPPORTED_MEDIA_TYPE', 'a text/plain body must be UTF-8');
  const plain = parsePlainPost(body);
  if (!plain.ok) throw sigmeshError(plain.code, plain.message);
  if (plain.value.body.length > maxMessageBytes)
    throw sigmeshError('BODY_TOO_LARGE', `the JSON of a post is at most ${maxMessageBytes} bytes`);
  const { buffer, byteOffset, byteLength } = plain.value.body;
  return {
    token: plain.value.token,
    session: plain.value.session,
    body: Buffer.from(buffer, byteOffset, byteLength),
  };
}
