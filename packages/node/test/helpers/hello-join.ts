import {
  parseWelcomeEvent,
  SseParser,
  utf8,
  type RoomHash,
  type WelcomeEvent,
} from '@sigmesh/protocol';
import { challengeFor, solveToken } from './raw-http.js';

/** A raw join with a `hello` parameter: what it answered, and the welcome when it was let in. */
export interface HelloJoin {
  readonly status: number;
  readonly token: string;
  readonly body: string;
  readonly welcome?: WelcomeEvent;
  close(): void;
}

/**
 * `GET /room/HASH?pow=…&hello=…` with a freshly paid join token; `hello` is the post body
 * carried in the join (percent-encoded here), or undefined for a join without one. Reads the
 * welcome, then leaves the stream open until `close()`.
 */
export async function joinWithHello(
  baseUrl: string,
  room: RoomHash,
  hello: string | undefined,
  rawHello?: string,
): Promise<HelloJoin> {
  const { challenge } = await challengeFor(baseUrl, 'room-join');
  const token = await solveToken(challenge, utf8(room));
  const controller = new AbortController();
  const query = rawHello ?? (hello === undefined ? '' : `&hello=${encodeURIComponent(hello)}`);
  const response = await fetch(`${baseUrl}/room/${room}?pow=${encodeURIComponent(token)}${query}`, {
    headers: { accept: 'text/event-stream' },
    signal: controller.signal,
  });
  const close = (): void => controller.abort();
  if (!response.ok || response.body === null)
    return { status: response.status, token, body: await response.text(), close };
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  for (let reads = 0; reads < 100; reads++) {
    const { value, done } = await reader.read();
    if (done) break;
    const welcome = parser
      .feed(decoder.decode(value, { stream: true }))
      .find((event) => event.event === 'welcome');
    if (welcome === undefined) continue;
    const parsed = parseWelcomeEvent(JSON.parse(welcome.data));
    if (!parsed.ok) throw new Error(parsed.message);
    return { status: response.status, token, body: '', welcome: parsed.value, close };
  }
  close();
  throw new Error('no welcome');
}
