import { parseRoomPost, sigmeshError, type RoomPost } from '@sigmesh/protocol';
import { parseJsonBody } from './json-body.js';

/**
 * The first message a join carries: the `hello` query parameter of `GET /room/HASH`, a room
 * post body (`{ "data": … }`, no `to`: nobody is known yet) percent-encoded; undefined when the
 * join has none. Read from the raw URL so that bytes which are not UTF-8 are refused
 * (`BAD_UTF8`) rather than relayed repaired, as for a POST (json-body.ts); the same size limit
 * (`--max-message-bytes`, on the decoded body) and the same checks as a post. Throws
 * SigmeshErrors. The parameter is not bound by the join's proof-of-work (it cannot be: its
 * signature needs the member id, which the token determines; docs/security.md).
 */
export function joinHello(rawUrl: string, maxMessageBytes: number): RoomPost | undefined {
  const query = rawUrl.split('?', 2)[1];
  if (query === undefined) return undefined;
  const values = query.split('&').filter((pair) => pair.startsWith('hello='));
  if (values.length === 0) return undefined;
  if (values.length > 1) throw sigmeshError('BAD_REQUEST', 'a join carries one hello at most');
  let text: string;
  try {
    text = decodeURIComponent(values[0]!.slice('hello='.length).replaceAll('+', ' '));
  } catch {
    throw sigmeshError('BAD_UTF8', 'the hello is not percent-encoded UTF-8');
  }
  const body = Buffer.from(text, 'utf8');
  if (body.length > maxMessageBytes)
    throw sigmeshError('BODY_TOO_LARGE', `a hello is at most ${maxMessageBytes} bytes`);
  const post = parseRoomPost(parseJsonBody(body));
  if (!post.ok) throw sigmeshError(post.code, post.message);
  if (post.value.to !== undefined)
    throw sigmeshError('ROOM_MESSAGE_INVALID', 'a hello in a join is for the whole room: no "to"');
  return post.value;
}
