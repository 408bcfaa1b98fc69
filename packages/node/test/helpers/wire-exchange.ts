import { once } from 'node:events';
import { connect } from 'node:net';

// The raw-socket exchange and normalisation of the wire tests (room-post-wire, room-stream-wire):
// whole responses, compared with golden files recorded from an earlier implementation.

/** Writes one request on a fresh socket and reads until `done` (a whole response) or close, 3 s at most. */
export async function exchange(
  port: number,
  request: Buffer,
  done: (bytes: Buffer) => boolean = responseComplete,
): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  socket.write(request);
  let bytes = Buffer.alloc(0);
  const complete = (): boolean => done(bytes);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 3000);
    socket.on('data', (chunk: Buffer) => {
      bytes = Buffer.concat([bytes, chunk]);
      if (complete()) {
        clearTimeout(timer);
        resolve();
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  socket.destroy();
  return bytes.toString('utf8');
}

/** A whole response: its head, then its Content-Length of body or its last chunk. */
export function responseComplete(bytes: Buffer): boolean {
  const split = bytes.indexOf('\r\n\r\n');
  if (split < 0) return false;
  const head = bytes.subarray(0, split).toString('latin1');
  const length = /\r\ncontent-length: (\d+)/i.exec(head)?.[1];
  if (length !== undefined) return bytes.length >= split + 4 + Number(length);
  return (
    /\r\ntransfer-encoding: chunked/i.test(head) && bytes.subarray(-5).toString() === '0\r\n\r\n'
  );
}

/**
 * Run-specific values replaced by their kind; header names lower-cased and sorted (their order
 * carries no meaning), then the body.
 */
export function normalise(response: string): string {
  const split = response.indexOf('\r\n\r\n');
  const [status, ...headers] = response.slice(0, split).split('\r\n');
  const lines = headers
    .map((line) => {
      const colon = line.indexOf(':');
      return `${line.slice(0, colon).toLowerCase()}:${line.slice(colon + 1)}`;
    })
    .map((line) => (line.startsWith('date:') ? 'date: <date>' : line))
    .sort();
  return [status, ...lines, '', response.slice(split + 4)]
    .join('\n')
    .replace(/[A-Za-z0-9_-]{50,}/g, '<challenge>')
    .replace(/"id":"[0-9a-f]{32}"/g, '"id":"<id>"')
    .replace(/"difficulty":\d+/g, '"difficulty":<price>')
    .replace(/difficulty="\d+"/g, 'difficulty="<price>"');
}
