import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

/**
 * The listeners node:_http_server puts on every connection (Node 20's `connectionListenerInternal`),
 * by function name: what its own upgrade path (`onParserExecuteCommon`) takes off a socket it
 * hands to an `upgrade` handler, and what taking a room stream's socket takes off too.
 */
const SERVER_LISTENERS = [
  ['data', 'bound socketOnData'],
  ['end', 'bound socketOnEnd'],
  ['close', 'bound socketOnClose'],
  ['drain', 'bound socketOnDrain'],
  ['error', 'socketOnError'],
  ['timeout', 'socketOnTimeout'],
  ['pause', 'onSocketPause'],
  ['resume', 'onSocketResume'],
] as const;

/** What of a Node 20 request parser this checks for (node:_http_common). */
interface RequestParser {
  unconsume(): void;
}

type FreeParser = (parser: RequestParser, req: unknown, socket: Socket) => void;

/** node:_http_common's `freeParser`, which the upgrade path uses; undefined where it is not. */
const freeParser = ((): FreeParser | undefined => {
  try {
    const common = createRequire(import.meta.url)('_http_common') as { freeParser?: unknown };
    return typeof common.freeParser === 'function' ? (common.freeParser as FreeParser) : undefined;
  } catch {
    return undefined;
  }
})();

/**
 * Takes a room stream's connection out of the HTTP server, as Node does for an upgraded one: the
 * response head is sent, the server's listeners and the request parser come off the socket
 * (the parser back to Node's pool), and the response and request objects are left to the garbage
 * collector. What a member then holds is the socket alone: ≈ 2.3 KB of heap and ≈ 4.9 KB of RSS
 * less per idle member (docs/performance.md). The head must have been written without chunked
 * encoding ({@link writeStreamHead}): the stream's bytes go to the socket as they are, and it
 * ends when the connection closes.
 *
 * The client may send nothing more on it (an EventSource never does): bytes or its end of the
 * connection close it. Returns the socket, or undefined — the response stays the member's
 * stream, as before — where the server is not what this expects (another Node version, a
 * response already finished).
 */
export function takeStreamSocket(res: ServerResponse): Socket | undefined {
  const socket = res.socket;
  const parser = (socket as { parser?: RequestParser | null } | null)?.parser;
  if (
    freeParser === undefined ||
    socket == null ||
    parser == null ||
    res.writableEnded ||
    // A HEAD answer has no body: its events must not reach the socket (Node drops them).
    res.req.method !== 'GET' ||
    typeof parser.unconsume !== 'function'
  )
    return undefined;
  const found = SERVER_LISTENERS.map(
    ([event, name]) =>
      [
        event,
        socket.listeners(event).find((fn) => fn.name === name) as
          ((...args: unknown[]) => void) | undefined,
      ] as const,
  );
  if (found.some(([, listener]) => listener === undefined)) return undefined;

  res.flushHeaders();
  for (const [event, listener] of found) socket.removeListener(event, listener!);
  res.detachSocket(socket);
  // Reading again in JS (the server's listener wrapper takes the socket back from the parser),
  // so that bytes and the client's end are seen.
  (socket as { readableFlowing: boolean | null }).readableFlowing = null;
  socket.on('data', () => socket.destroy());
  socket.on('end', () => socket.destroy());
  socket.on('error', () => undefined); // 'close' follows, and the member leaves then
  socket.setTimeout(0);
  // The parser is still executing the request (this runs inside its callback) and lists itself
  // among the server's connections again when it finishes: freed once it has.
  const { req } = res;
  setImmediate(() => freeParser(parser, req, socket));
  return socket;
}

/**
 * Writes a room stream's response head: no chunked encoding (the body is the events, up to the
 * connection's close; Node then says `Connection: close`), so that {@link takeStreamSocket} can
 * hand the socket to the member.
 */
export function writeStreamHead(res: ServerResponse, headers: OutgoingHttpHeaders): void {
  res.useChunkedEncodingByDefault = false;
  res.writeHead(200, headers);
}
