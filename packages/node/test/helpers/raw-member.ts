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
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      const match = /event: welcome\ndata: (.*)\n\n/.exec(text);
      if (!match) return;
      socket.off('data', onData);
      if (mode === 'stall') socket.pause();
      else socket.on('data', () => undefined);
      resolve({
        peerId: (JSON.parse(match[1]!) as { peerId: string }).peerId,
        destroy: () => socket.destroy(),
      });
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}
