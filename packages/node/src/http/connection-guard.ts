/**
 * Admission of TCP connections to the HTTP port, before they cost anything but the descriptor
 * the kernel already handed over: at most `maxConnections` in total and `maxPerAddress` per
 * client address (IPv6 per /64), so idle connections — no bytes, no proof-of-work — cannot
 * exhaust the node's file descriptors or crowd out other clients (issue 11).
 *
 * A refused plain-HTTP connection gets one precomputed catalog answer (429
 * `TOO_MANY_CONNECTIONS` or 503 `CONNECTION_LIMIT`, with Retry-After) and is closed at once; a
 * TLS connection is closed without one (answering would cost a handshake). Accept failures
 * (EMFILE and friends, if descriptors run out anyway) are counted and warned about once a minute;
 * libuv has already dropped the connection and the server keeps listening.
 */
import type { Server, Socket } from 'node:net';
import { sigmeshError } from '@sigmesh/protocol';
import type { Logger } from '../log/create-logger.js';
import { ThrottledWarning } from '../log/throttled-warning.js';
import { clientKey } from '../pow/client-key.js';
import { rawErrorResponse } from './raw-error-response.js';

/** Seconds a refused client is told to wait. */
const RETRY_AFTER_S = 10;

/** The caps. */
export interface ConnectionLimits {
  readonly maxConnections: number;
  /** 0: no per-address cap (behind a trusted proxy every connection comes from the proxy). */
  readonly maxPerAddress: number;
}

/** Counters for metrics and tests. */
export interface ConnectionStats {
  /** Connections open now. */
  readonly open: number;
  /** Refused because their address held `maxPerAddress`. */
  readonly refusedPerAddress: number;
  /** Refused because the node held `maxConnections`. */
  readonly refusedTotal: number;
  /** Connections the kernel had but the process could not accept (no descriptor left). */
  readonly acceptErrors: number;
}

/** Counts connections per address and in total, and refuses the ones over a cap. */
export class ConnectionGuard {
  readonly #limits: ConnectionLimits;
  readonly #plainHttp: boolean;
  readonly #log: Logger;
  readonly #perAddress = new Map<string, number>();
  readonly #sockets = new Set<Socket>();
  readonly #acceptWarning = new ThrottledWarning(60_000);
  readonly #tooMany: Buffer;
  readonly #full: Buffer;
  #open = 0;
  #refusedPerAddress = 0;
  #refusedTotal = 0;
  #acceptErrors = 0;

  constructor(options: { limits: ConnectionLimits; plainHttp: boolean; log: Logger }) {
    this.#limits = options.limits;
    this.#plainHttp = options.plainHttp;
    this.#log = options.log;
    this.#tooMany = rawErrorResponse(
      sigmeshError(
        'TOO_MANY_CONNECTIONS',
        `this address already holds ${options.limits.maxPerAddress} connections to this node`,
        { retryAfter: RETRY_AFTER_S },
      ),
    );
    this.#full = rawErrorResponse(
      sigmeshError(
        'CONNECTION_LIMIT',
        `this node holds its maximum of ${options.limits.maxConnections} connections`,
        { retryAfter: RETRY_AFTER_S },
      ),
    );
  }

  /**
   * Guards `server`: runs before the HTTP layer sees a connection (a prepended listener), and
   * keeps the server's failed accepts from becoming an unheard 'error' event.
   */
  attach(server: Server): void {
    server.prependListener('connection', (socket: Socket) => this.#admit(socket));
    server.on('error', (error: NodeJS.ErrnoException) => {
      if (error.syscall !== 'accept') return; // listen errors reject listen() itself
      this.#acceptErrors++;
      const held = this.#acceptWarning.occurred();
      if (held !== undefined)
        this.#log.warn(
          { err: error, suppressed: held },
          'http: accept failed (out of file descriptors?); connections are dropped meanwhile',
        );
    });
  }

  /**
   * Destroys every admitted connection, at stop. The HTTP server's own force-close only knows
   * connections that reached it as HTTP: a TLS connection still in its handshake would keep the
   * server from closing until the handshake timeout.
   */
  destroyAll(): void {
    for (const socket of this.#sockets) socket.destroy();
  }

  stats(): ConnectionStats {
    return {
      open: this.#open,
      refusedPerAddress: this.#refusedPerAddress,
      refusedTotal: this.#refusedTotal,
      acceptErrors: this.#acceptErrors,
    };
  }

  #admit(socket: Socket): void {
    const address = socket.remoteAddress;
    if (address === undefined) {
      socket.destroy(); // already gone
      return;
    }
    const key = clientKey(address);
    const held = this.#perAddress.get(key) ?? 0;
    if (this.#open >= this.#limits.maxConnections) {
      this.#refusedTotal++;
      this.#refuse(socket, this.#full, 'CONNECTION_LIMIT', key);
      return;
    }
    if (this.#limits.maxPerAddress > 0 && held >= this.#limits.maxPerAddress) {
      this.#refusedPerAddress++;
      this.#refuse(socket, this.#tooMany, 'TOO_MANY_CONNECTIONS', key);
      return;
    }
    this.#open++;
    this.#perAddress.set(key, held + 1);
    this.#sockets.add(socket);
    socket.once('close', () => {
      this.#sockets.delete(socket);
      this.#open--;
      const left = (this.#perAddress.get(key) ?? 1) - 1;
      if (left <= 0) this.#perAddress.delete(key);
      else this.#perAddress.set(key, left);
    });
  }

  /**
   * Answers and closes at once. The answer is small enough to go straight into the kernel's send
   * buffer, which still delivers it after the descriptor is closed; the HTTP layer, which sees
   * the connection next, finds it destroyed and never reads from it.
   */
  #refuse(socket: Socket, answer: Buffer, code: string, key: string): void {
    this.#log.debug({ code, client: key }, 'http: connection refused');
    socket.on('error', () => undefined);
    if (this.#plainHttp) socket.write(answer);
    socket.destroy();
  }
}
