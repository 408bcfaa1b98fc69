import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { sigmeshError } from '@sigmesh/protocol';
import type { NodeConfig } from '../../config/node-options.js';
import { rawErrorResponse } from '../../http/raw-error-response.js';
import type { Logger } from '../../log/create-logger.js';
import { clientKey as keyOf } from '../../pow/client-key.js';
import type { AddressQuotas } from './address-quotas.js';
import type { DialectCounters } from './dialect-counters.js';
import { clientAddress } from '../../http/client-address.js';
import { attachSocket, corkedBytes, sendInTurn } from '../../sockets/turn-sends.js';

/** One open dialect WebSocket, as its dialect sees it. */
export interface TopicSocket {
  /** The client's address key (IPv4 address, IPv6 /64). */
  readonly clientKey: string;
  /** Sends one text frame; a connection holding more than the buffer cap is closed instead. */
  send(text: string): void;
  close(code: number, reason: string): void;
}

/** What a dialect does with one connection's frames. */
export interface TopicSocketHandler {
  /** One frame, as text (binary frames are read as UTF-8 too). */
  message(text: string): void;
  /** The connection closed (either side): release what it held. */
  closed(): void;
}

/** WebSocket close codes the topic dialects use (RFC 6455 § 7.4.1). */
export const topicCloseCodes = {
  goingAway: 1001,
  tooBig: 1009,
  tryAgainLater: 1013,
} as const;

type SocketConfig = Pick<
  NodeConfig,
  | 'topicsMaxMessageBytes'
  | 'topicsMaxBufferedBytes'
  | 'topicsPingMs'
  | 'trustProxy'
  | 'meshMaxFrameBytes'
>;

/** Room the mesh frame needs around a bus message (ids, room, hops). */
const MESH_FRAME_OVERHEAD = 4096;

/**
 * The WebSocket side of a topic dialect: upgrades refused over the caps (per address, in total,
 * under load) with a catalog error before any frame, one ping sweep for all connections, and a
 * send that closes readers who fall behind rather than buffering without bound.
 */
export class TopicSocketServer {
  readonly #wss: WebSocketServer;
  readonly #config: SocketConfig;
  readonly #log: Logger;
  readonly #quotas: AddressQuotas;
  readonly #counters: DialectCounters;
  readonly #open: (socket: TopicSocket) => TopicSocketHandler;
  readonly #alive = new Map<WebSocket, boolean>();
  readonly #pinger: NodeJS.Timeout;
  #stopped = false;

  constructor(options: {
    config: SocketConfig;
    log: Logger;
    quotas: AddressQuotas;
    counters: DialectCounters;
    open: (socket: TopicSocket) => TopicSocketHandler;
  }) {
    this.#config = options.config;
    this.#log = options.log;
    this.#quotas = options.quotas;
    this.#counters = options.counters;
    this.#open = options.open;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: maxFrameBytes(options.config),
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.#pinger = setInterval(() => this.#sweep(), options.config.topicsPingMs);
    this.#pinger.unref();
  }

  /** Open connections of this dialect. */
  get connections(): number {
    return this.#alive.size;
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const key = keyOf(clientAddress(request, this.#config.trustProxy));
    const refusal = this.#stopped
      ? sigmeshError('TOPIC_CONNECTION_LIMIT', 'this node is stopping', { retryAfter: 5 })
      : this.#quotas.admit(key);
    if (refusal !== undefined) {
      this.#counters.add(`refused_${refusal.code.toLowerCase()}`);
      this.#log.debug({ code: refusal.code, clientKey: key }, 'topic dialect: upgrade refused');
      socket.end(rawErrorResponse(refusal), () => socket.destroy());
      return;
    }
    // Counted before the handshake completes, so a burst of upgrades cannot pass the caps.
    this.#quotas.connected(key);
    let adopted = false;
    socket.once('close', () => {
      if (!adopted) this.#quotas.disconnected(key);
    });
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      adopted = true;
      attachSocket(ws, socket);
      this.#adopt(ws, key);
    });
  }

  /** Closes every connection (going away) and stops pinging. Idempotent. */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#pinger);
    for (const ws of [...this.#alive.keys()]) ws.close(topicCloseCodes.goingAway, 'node stopping');
  }

  #adopt(ws: WebSocket, key: string): void {
    this.#counters.add('connections');
    this.#alive.set(ws, true);
    const maxBuffered = this.#config.topicsMaxBufferedBytes;
    const socket: TopicSocket = {
      clientKey: key,
      send: (text) => {
        if (ws.readyState !== WebSocket.OPEN) return;
        // What this turn corked is not waiting on the reader yet (turn-sends.ts).
        if (ws.bufferedAmount - corkedBytes(ws) + text.length > maxBuffered) {
          this.#counters.add('slow_consumers_closed');
          this.#log.debug(
            { code: 'TOPIC_SLOW_CONSUMER', clientKey: key },
            'topic dialect: slow reader closed',
          );
          ws.close(topicCloseCodes.tryAgainLater, 'TOPIC_SLOW_CONSUMER');
          return;
        }
        sendInTurn(ws, text);
      },
      close: (code, reason) => ws.close(code, reason),
    };
    const handler = this.#open(socket);
    ws.on('message', (data: RawData) => {
      this.#alive.set(ws, true);
      handler.message(rawText(data));
    });
    ws.on('pong', () => this.#alive.set(ws, true));
    ws.on('error', (error) => {
      // Peer-caused (a frame over maxPayload, a protocol error): ws closes the socket itself.
      this.#counters.add('socket_errors');
      this.#log.debug({ err: error, clientKey: key }, 'topic dialect: socket error');
    });
    ws.once('close', () => {
      this.#alive.delete(ws);
      handler.closed();
      this.#quotas.disconnected(key);
    });
    if (this.#stopped) ws.close(topicCloseCodes.goingAway, 'node stopping');
  }

  #sweep(): void {
    this.#quotas.prune();
    for (const [ws, alive] of this.#alive) {
      if (!alive) {
        this.#counters.add('silent_closed');
        ws.terminate();
        continue;
      }
      this.#alive.set(ws, false);
      ws.ping();
    }
  }
}

/** The largest frame a topic dialect takes: the option, within what one mesh frame can carry. */
export function maxFrameBytes(
  config: Pick<NodeConfig, 'topicsMaxMessageBytes' | 'meshMaxFrameBytes'>,
): number {
  return Math.min(config.topicsMaxMessageBytes, config.meshMaxFrameBytes - MESH_FRAME_OVERHEAD);
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
