import { connect, type Socket } from 'node:net';

/** One HTTP/1.1 answer: status and body (Content-Length framed). */
export interface HttpAnswer {
  readonly status: number;
  readonly body: Buffer;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:\s*(\d+)/i;

/**
 * A minimal keep-alive HTTP/1.1 client over one TCP connection: requests are pre-encoded bytes
 * and answers are matched in order (one in flight at a time per connection). Far cheaper per
 * request than fetch or http.request, so on a 2-core machine the load generator takes as
 * little CPU as possible from the server it measures. Only Content-Length answers (both servers
 * send them for every non-stream reply).
 */
export class KeepAliveConnection {
  readonly #port: number;
  #socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #waiter: { resolve: (answer: HttpAnswer) => void; reject: (error: Error) => void } | undefined;
  #closed = false;

  private constructor(port: number, socket: Socket) {
    this.#port = port;
    this.#socket = this.#adopt(socket);
  }

  /** Connects to 127.0.0.1:`port`. */
  static async open(port: number): Promise<KeepAliveConnection> {
    return new KeepAliveConnection(port, await connectTo(port));
  }

  /**
   * Sends one pre-encoded request and resolves with its answer. A connection the server closed
   * while idle (keep-alive timeout) is opened again first; one closed mid-request fails it.
   */
  async request(bytes: Buffer): Promise<HttpAnswer> {
    if (this.#waiter !== undefined) throw new Error('one request at a time per connection');
    if (this.#closed) {
      this.#socket = this.#adopt(await connectTo(this.#port));
      this.#closed = false;
      this.#buffer = Buffer.alloc(0);
    }
    return new Promise<HttpAnswer>((resolve, reject) => {
      this.#waiter = { resolve, reject };
      this.#socket.write(bytes);
    });
  }

  /** GET `path` and parse the JSON answer. */
  async getJson(path: string): Promise<unknown> {
    const answer = await this.request(
      Buffer.from(`GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\naccept: application/json\r\n\r\n`),
    );
    if (answer.status !== 200)
      throw new Error(`GET ${path} answered ${answer.status}: ${answer.body.toString()}`);
    return JSON.parse(answer.body.toString('utf8')) as unknown;
  }

  close(): void {
    this.#socket.destroy();
  }

  #adopt(socket: Socket): Socket {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (error) => this.#fail(error));
    socket.on('close', () => {
      this.#closed = true;
      this.#fail(new Error('connection closed'));
    });
    return socket;
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const end = this.#buffer.indexOf(HEADER_END);
    if (end < 0) return;
    const head = this.#buffer.toString('latin1', 0, end);
    const length = Number(CONTENT_LENGTH.exec(head)?.[1] ?? Number.NaN);
    if (!Number.isFinite(length))
      return this.#fail(new Error(`answer without content-length: ${head}`));
    const total = end + HEADER_END.length + length;
    if (this.#buffer.length < total) return;
    const body = this.#buffer.subarray(end + HEADER_END.length, total);
    this.#buffer = this.#buffer.subarray(total);
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve({ status: Number(head.slice(9, 12)), body });
  }

  #fail(error: Error): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(error);
  }
}

async function connectTo(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}
