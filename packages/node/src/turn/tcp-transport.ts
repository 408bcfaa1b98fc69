/**
 * The TCP side of the listening port (RFC 8656 §3.1: TURN over TCP between client and server,
 * UDP to peers). Each connection is a 5-tuple; its allocation ends with the connection.
 * Slow readers are not buffered for: data to a client whose socket has more than
 * `MAX_PENDING_BYTES` queued is dropped, so a stalled client cannot grow memory.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { ClientTuple } from './allocation.js';
import { canonicalIp, ipFamily } from './ip-address.js';
import { StreamFramer } from './stream-framer.js';
import type { TurnCore } from './turn-core.js';
import type { TurnLogger } from './turn-options.js';

const MAX_PENDING_BYTES = 1 << 20;

/** The listening TCP server. */
export class TcpTransport {
  private server: Server | undefined;
  private readonly connections = new Map<number, Socket>();
  private nextHandle = 0;
  private core: TurnCore | undefined;

  constructor(
    private readonly logger: TurnLogger,
    private readonly maxConnections: number,
    private readonly idleTimeoutMs: number,
  ) {}

  /** Listens on `host:port`. */
  listen(host: string, port: number): Promise<void> {
    const server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    server.maxConnections = this.maxConnections;
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', reject);
        server.on('error', (error) => this.logger.warn({ err: error }, 'turn: tcp server error'));
        resolve();
      });
    });
  }

  /** Starts delivering frames to `core`. */
  attach(core: TurnCore): void {
    this.core = core;
  }

  private accept(socket: Socket): void {
    const core = this.core;
    const address = canonicalIp(socket.remoteAddress ?? '');
    if (core === undefined || address === undefined || socket.remotePort === undefined) {
      socket.destroy();
      return;
    }
    const handle = ++this.nextHandle;
    const tuple: ClientTuple = {
      key: `t${handle}`,
      transport: 'tcp',
      client: { family: ipFamily(address), address, port: socket.remotePort },
      handle,
    };
    this.connections.set(handle, socket);
    const framer = new StreamFramer();
    socket.setTimeout(this.idleTimeoutMs, () => socket.destroy());
    socket.on('error', (error) => this.logger.debug({ err: error }, 'turn: tcp connection error'));
    socket.on('close', () => {
      this.connections.delete(handle);
      core.connectionClosed(tuple.key);
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        const out = framer.push(chunk);
        if (!out.ok) {
          core.reject('TURN_MALFORMED', tuple, 'tcp stream is not STUN/TURN');
          socket.destroy();
          return;
        }
        for (const frame of out.frames) {
          if ((frame[0] ?? 0) < 4) core.handleStun(tuple, frame);
          else core.handleChannelData(tuple.key, frame);
        }
      } catch (error) {
        this.logger.error({ err: error }, 'turn: bug while handling tcp data');
      }
    });
  }

  /** Writes to a client's connection, dropping when it is backed up. */
  send(tuple: ClientTuple, data: Uint8Array): void {
    const socket = this.connections.get(tuple.handle);
    if (socket === undefined || socket.destroyed) return;
    if (socket.writableLength > MAX_PENDING_BYTES) {
      this.core?.reject('TURN_RATE_LIMITED', tuple, 'tcp client not reading');
      return;
    }
    socket.write(data);
  }

  /** Stops listening and ends every connection. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.connections.values()) socket.destroy();
    this.connections.clear();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
    this.core = undefined;
  }
}
