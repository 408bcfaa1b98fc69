import { connect, type Socket } from 'node:net';

const WELCOME = Buffer.from('event: welcome\ndata: ');
const EVENT_END = Buffer.from('\n\n');
const MESSAGE = Buffer.from('event: message\n');

/**
 * The fields of the `welcome` event the benchmarks keep. Not the member list: 10,000 members
 * each holding the ids of up to 10,000 others would take gigabytes in the load generator.
 */
export interface Welcome {
  readonly peerId: string;
  readonly session: string;
  readonly memberCount: number;
}

/** An open room stream over a raw TCP socket. */
export interface SseMember {
  readonly socket: Socket;
  readonly welcome: Welcome;
}

/**
 * One read buffer for every member of the process (`reuseBuffer`): each read is handled before
 * the next one is made, so no member's bytes are overwritten while still wanted.
 */
const SHARED_READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/**
 * Opens `GET path` as an event stream on 127.0.0.1:`port` over a bare socket (no fetch, no
 * EventSource: thousands of members must cost the load generator as little as possible),
 * waits for the `welcome` event, then calls `onMessages(n)` for every `message` event seen
 * (found by byte search, across TCP segment boundaries). Rejects after `timeoutMs`.
 * `reuseBuffer`: reads land in one buffer shared by the process's members (`onread`) instead of
 * a new Buffer per read — less of the load generator's CPU per delivery (bench/workers.ts
 * `--reader`).
 */
export async function openSseMember(
  port: number,
  path: string,
  onMessages: (count: number) => void,
  timeoutMs = 60_000,
  options: { readonly reuseBuffer?: boolean } = {},
): Promise<SseMember> {
  let handle: (chunk: Buffer) => void = () => undefined;
  const socket =
    options.reuseBuffer === true
      ? connect({
          host: '127.0.0.1',
          port,
          onread: {
            buffer: SHARED_READ_BUFFER,
            callback: (bytes) => {
              handle(SHARED_READ_BUFFER.subarray(0, bytes));
              return true;
            },
          },
        })
      : connect({ host: '127.0.0.1', port }).on('data', (chunk: Buffer) => handle(chunk));
  socket.on('connect', () =>
    socket.write(`GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\naccept: text/event-stream\r\n\r\n`),
  );
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  // The last bytes of the previous chunk, so an event name split across two reads still counts.
  let carry: Buffer | undefined;
  const count = (chunk: Buffer): void => {
    let found = 0;
    if (carry !== undefined) {
      const joined = Buffer.concat([carry, chunk.subarray(0, MESSAGE.length - 1)]);
      const at = joined.indexOf(MESSAGE);
      if (at >= 0 && at < carry.length) found++;
    }
    for (let at = chunk.indexOf(MESSAGE); at >= 0; at = chunk.indexOf(MESSAGE, at + MESSAGE.length))
      found++;
    carry =
      chunk.length >= 2 && chunk[chunk.length - 1] === 0x0a && chunk[chunk.length - 2] === 0x0a
        ? undefined
        : Buffer.from(chunk.subarray(-(MESSAGE.length - 1)));
    if (found > 0) onMessages(found);
  };
  const welcome = await new Promise<Welcome>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`no welcome on ${path} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const fail = (error: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const onData = (read: Buffer): void => {
      // A shared read buffer is written over by the next read: keep a copy while waiting.
      const chunk = options.reuseBuffer === true ? Buffer.from(read) : read;
      pending.push(chunk);
      pendingBytes += chunk.length;
      const all = pending.length === 1 ? chunk : Buffer.concat(pending, pendingBytes);
      pending = [all];
      if (all.subarray(0, 12).toString('latin1') !== 'HTTP/1.1 200') {
        if (all.includes(EVENT_END) || all.length > 4096)
          fail(new Error(`GET ${path}: ${all.toString('utf8', 0, 400)}`));
        return;
      }
      // The welcome may span several reads (and chunks of a chunked body: a big room's member
      // list is written in pieces); counting the later events needs no decoding.
      const body = dechunk(all);
      if (body === undefined) return;
      const start = body.data.indexOf(WELCOME);
      if (start < 0) return;
      const end = body.data.indexOf(EVENT_END, start);
      if (end < 0) return;
      clearTimeout(timer);
      socket.off('error', fail);
      socket.off('close', onClose);
      handle = count;
      const rest = Buffer.concat([body.data.subarray(end + EVENT_END.length), body.partial]);
      if (rest.length > 0) count(rest);
      pending = [];
      const welcome = JSON.parse(body.data.toString('utf8', start + WELCOME.length, end)) as {
        peerId: string;
        session: string;
        members: unknown[];
      };
      resolve({
        peerId: welcome.peerId,
        session: welcome.session,
        memberCount: welcome.members.length,
      });
    };
    handle = onData;
    socket.on('error', fail);
    const onClose = (): void => fail(new Error(`stream ${path} closed before its welcome`));
    socket.on('close', onClose);
  });
  // A member cut by the server (slow consumer) or a reset after setup is not an exception here:
  // the benchmark sees it as missing deliveries.
  socket.on('error', () => undefined);
  return { socket, welcome };
}

/**
 * The body of an HTTP/1.1 response received so far: all of it where it ends with the connection
 * (a sigmesh room stream); for a chunked one (the raw baseline) the data of its complete chunks,
 * and the raw bytes after them (a chunk still arriving). Undefined until the head is complete.
 */
function dechunk(response: Buffer): { data: Buffer; partial: Buffer } | undefined {
  const headEnd = response.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  if (!/\r\ntransfer-encoding: chunked\r\n/i.test(response.toString('latin1', 0, headEnd + 2)))
    return { data: response.subarray(headEnd + 4), partial: Buffer.alloc(0) };
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
  return { data: Buffer.concat(pieces), partial: response.subarray(at) };
}
