import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { requestWorker, sessionWorker } from './worker-routing.js';
import type { WorkerMessage } from './worker-messages.js';
import { requestBytes } from './request-bytes.js';

/** The routes only worker 0 can answer: they read or write the DHT. */
const DHT_PATHS = /^\/(?:nodes|dht-get|dht-put)(?:[/?]|$)/;

/** Sends a message, with a socket or not, to the primary (process.send in a cluster worker). */
export type SendToPrimary = (message: WorkerMessage, socket?: Socket) => void;

/**
 * One worker of `sigmesh start --workers N`, as its node sees it: which requests belong to
 * another worker, and how their connections move there. A member's stream lives on one worker,
 * and a PoW challenge can be spent only at the worker that minted it (its replay set is there);
 * the kernel spreads connections over workers blindly, so a request whose session or token names
 * another worker is moved: its connection goes, with the request's bytes, through the primary to
 * that worker, which parses it again and keeps the connection (docs/operations.md § Several cores).
 */
export class NodeWorker {
  readonly index: number;
  readonly count: number;
  readonly #send: SendToPrimary;
  /** Largest body read here to move a request (bigger ones stay and are refused as usual). */
  readonly #maxBody: number;
  /** Connections from sibling workers (the private loopback port): never moved. */
  readonly #siblings = new WeakSet();
  #server: Server | undefined;
  /** Connections moved away (a measure of how often the kernel's choice was not the right one). */
  moved = 0;

  constructor(options: { index: number; count: number; maxBody: number; send: SendToPrimary }) {
    this.index = options.index;
    this.count = options.count;
    this.#maxBody = options.maxBody;
    this.#send = options.send;
  }

  /** The node's HTTP server exists: moved and sibling connections are fed to it. */
  serve(server: Server): void {
    this.#server = server;
    this.#send({ t: 'sigmesh:serving' });
  }

  /** A connection on the private port, from a sibling worker. */
  sibling(socket: Socket): void {
    if (this.#server === undefined) {
      // Not serving yet: the sibling's mesh redials with backoff.
      socket.destroy();
      return;
    }
    this.#siblings.add(socket);
    this.#server.emit('connection', socket);
  }

  /** A connection moved here by another worker, with the bytes of its first request. */
  accept(socket: Socket, bytes: Buffer): void {
    if (this.#server === undefined) {
      socket.destroy();
      return;
    }
    // Fed as if just read: the server's parser takes it from here, then reads the socket.
    this.#server.emit('connection', socket);
    socket.emit('data', bytes);
    socket.resume();
  }

  /**
   * The HTTP listener's first step: moves a request whose head names another worker, and the
   * DHT's routes (`/nodes`, `/dht-get`, `/dht-put`) to worker 0, the only one with a DHT; true
   * when moved. (A DHT request paid with another worker's challenge is then refused with a fresh
   * challenge of worker 0's, which the client pays once more.)
   */
  route(request: IncomingMessage): boolean {
    const url = request.url ?? '';
    const target = DHT_PATHS.test(url) ? 0 : requestWorker(request.headers, url);
    if (!this.#elsewhere(target) || this.#siblings.has(request.socket)) return false;
    if (request.method === 'GET' || request.method === 'HEAD') {
      this.#move(target, request, undefined, undefined);
      return true;
    }
    const length = Number(request.headers['content-length'] ?? 0);
    if (
      request.headers['transfer-encoding'] !== undefined ||
      !Number.isSafeInteger(length) ||
      length > this.#maxBody
    )
      return false;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => this.#move(target, request, Buffer.concat(chunks), undefined));
    return true;
  }

  /** An upgrade: `/mesh` from another host belongs to worker 0, the host's face; true when moved. */
  routeUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (this.index === 0 || this.#siblings.has(socket)) return false;
    if (new URL(request.url ?? '/', 'http://x').pathname !== '/mesh') return false;
    this.#move(0, request, undefined, head);
    return true;
  }

  /**
   * A paid post whose session came in its body (the plain form) and names another worker:
   * moves it there with the body already read; true when moved.
   */
  movePost(request: IncomingMessage, session: unknown, body: Buffer): boolean {
    const target = sessionWorker(session);
    if (!this.#elsewhere(target) || this.#siblings.has(request.socket)) return false;
    this.#move(target, request, body, undefined);
    return true;
  }

  #elsewhere(target: number | undefined): target is number {
    return target !== undefined && target !== this.index && target < this.count;
  }

  #move(
    target: number,
    request: IncomingMessage,
    body: Buffer | undefined,
    head: Buffer | undefined,
  ): void {
    const socket = request.socket;
    // Nothing more is read here: what follows on the connection is the target's to read.
    socket.pause();
    this.moved++;
    this.#send(
      {
        t: 'sigmesh:handoff',
        to: target,
        bytes: requestBytes(request, body, head).toString('base64'),
      },
      socket,
    );
  }
}
