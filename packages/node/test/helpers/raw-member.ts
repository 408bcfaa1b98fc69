import { connect } from 'node:net';
import { utf8, type RoomHash } from '@sigmesh/protocol';
import { challengeFor, solveToken } from './raw-http.js';

/**
 * Joins over a raw socket and reads the welcome; then either stops reading entirely (`stall`)
 * or keeps reading and throws everything away (so the test process retains nothing it received).
 */
export async function joinRaw(
  baseUrl: string,
  room: RoomHash,
  mode: 'stall' | 'drain',
): Promise<{ peerId: string; destroy(): void }> {
  const { challenge } = await challengeFor(baseUrl, 'room-join');
  const token = await solveToken(challenge, utf8(room));
  const { hostname, port } = new URL(baseUrl);
  const socket = connect(Number(port), hostname);
  socket.write(
    `GET /room/${room}?pow=${encodeURIComponent(token)} HTTP/1.1\r\nHost: ${hostname}\r\nAccept: text/event-stream\r\n\r\n`,
  );
  // Not `for await`: leaving that loop would destroy the socket; we want it open and unread.
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no welcome from ${baseUrl} within ${WELCOME_TIMEOUT_MS} ms`));
    }, WELCOME_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      // A big room's welcome spans several reads (and chunks, where the body is chunked).
      const match = /event: welcome\ndata: (.*)\n\n/.exec(streamBody(received));
      if (!match) return;
      clearTimeout(timer);
      socket.off('data', onData);
      if (mode === 'stall') socket.pause();
      else socket.on('data', () => undefined);
      resolve({
        peerId: (JSON.parse(match[1]!) as { peerId: string }).peerId,
        destroy: () => socket.destroy(),
      });
    };
    socket.on('data', onData);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

const WELCOME_TIMEOUT_MS = 30_000;

/**
 * The body of an HTTP/1.1 response received so far, as text: as it came when it ends with the
 * connection (a room stream), else the data of its complete chunks.
 */
function streamBody(response: Buffer): string {
  const headEnd = response.indexOf('\r\n\r\n');
  if (headEnd < 0) return '';
  if (!/\r\ntransfer-encoding: chunked\r\n/i.test(response.toString('latin1', 0, headEnd + 2)))
    return response.toString('utf8', headEnd + 4);
  const pieces: Buffer[] = [];
  let at = headEnd + 4;
  for (;;) {
    const lineEnd = response.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(response.toString('latin1', at, lineEnd), 16);
    if (!Number.isFinite(size) || lineEnd + 2 + size + 2 > response.length) break;
    pieces.push(response.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(pieces).toString();
}
