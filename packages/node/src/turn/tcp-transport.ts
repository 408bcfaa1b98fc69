/**
 * The TCP side of the listening port (RFC 8656 §3.1: TURN over TCP between client and server,
 * UDP to peers). Each connection is a 5-tuple; its allocation ends with the connection.
 * Slow readers are not buffered for: data to a client whose socket has more than
 * `MAX_PENDING_BYTES` queued is dropped, so a stalled client cannot grow memory.
 *
 * A connection costs a file descriptor before it costs anything else, so connections are capped
 * in total and per client address (IPv6 per /64) and refused at accept, and a connection that
 * holds no allocation is closed after `authTimeoutMs` of silence rather than the long idle
 * timeout: idle strangers cannot hold the port (issue 11).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { AddressCounts, addressShareKey } from './address-share.js';
import type { ClientTuple } from './allocation.js';
import { canonicalIp, ipFamily } from './ip-address.js';
import { ThrottledWarning } from '../log/throttled-warning.js';
import { StreamFramer } from './stream-framer.js';
import type { TurnCore } from './turn-core.js';
import type { TurnLogger } from './turn-options.js';

const MAX_PENDING_BYTES = 1 << 20;

/** Limits of the TCP side. */
export interface TcpTransportLimits {
  /** Connections at once. */
  readonly maxConnections: number;
  /** Connections at once from one client address (IPv6 per /64). */
  readonly maxPerAddress: number;
  /** Silence after which a connection with an allocation is closed. */
  readonly idleTimeoutMs: number;
  /** Silence after which a connection without an allocation is closed. */
  readonly authTimeoutMs: number;
}

/** The listening TCP server. */
export class TcpTransport {
  private server: Server | undefined;
  private readonly connections = new Map<number, Socket>();
  private readonly perAddress = new AddressCounts();
  private readonly acceptErrors = new ThrottledWarning(60_000);
  private nextHandle = 0;
  private core: TurnCore | undefined;

  constructor(
    private readonly logger: TurnLogger,
    private readonly limits: TcpTransportLimits,
  ) {}

  /** Listens on `host:port`. */
  listen(host: string, port: number): Promise<void> {
    const server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', reject);
        server.on('error', (error) => this.serverError(error));
        resolve();
      });
    });
  }

  /** Starts delivering frames to `core`. */
  attach(core: TurnCore): void {
    this.core = core;
  }

  /**
   * After listening, the server's only errors are failed accepts (EMFILE, ENFILE, ENOBUFS): libuv
   * has already dropped the connection it could not take, and the server keeps listening.
   */
  private serverError(error: Error): void {
    const held = this.acceptErrors.occurred();
    if (held !== undefined)
      this.logger.warn(
        { err: error, suppressed: held },
        'turn: tcp accept failed (out of file descriptors?); connections are dropped meanwhile',
      );
  }

  private accept(socket: Socket): void {
    const core = this.core;
    const address = canonicalIp(socket.remoteAddress ?? '');
    if (core === undefined || address === undefined || socket.remotePort === undefined) {
      socket.destroy();
      return;
    }
    const share = addressShareKey(address);
    const handle = ++this.nextHandle;
    const tuple: ClientTuple = {
      key: `t${handle}`,
      transport: 'tcp',
      client: { family: ipFamily(address), address, port: socket.remotePort },
      handle,
    };
    if (
      this.connections.size >= this.limits.maxConnections ||
      this.perAddress.get(share) >= this.limits.maxPerAddress
    ) {
      core.reject(
        'TURN_QUOTA_EXCEEDED',
        tuple,
        this.connections.size >= this.limits.maxConnections
          ? 'tcp connection limit'
          : `tcp connections from ${share}`,
      );
      socket.destroy();
      return;
    }
    this.connections.set(handle, socket);
    this.perAddress.add(share);
    const framer = new StreamFramer();
    socket.setTimeout(this.limits.authTimeoutMs);
    socket.on('timeout', () => {
      if (!core.hasAllocation(tuple.key)) {
        core.stats.tcpUnauthenticatedClosed++;
        this.logger.debug(
          { transport: 'tcp', client: tuple.client },
          'turn: closed a tcp connection idle without an allocation',
        );
        socket.destroy();
      } else if (socket.timeout === this.limits.authTimeoutMs) {
        socket.setTimeout(this.limits.idleTimeoutMs);
      } else {
        socket.destroy();
      }
    });
    socket.on('error', (error) => this.logger.debug({ err: error }, 'turn: tcp connection error'));
    socket.on('close', () => {
      this.connections.delete(handle);
      this.perAddress.remove(share);
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

  /** Open connections now. */
  connectionCount(): number {
    return this.connections.size;
  }

  /** Stops listening and ends every connection. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.connections.values()) socket.destroy();
    this.connections.clear();
    this.perAddress.clear();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
    this.core = undefined;
  }
}
