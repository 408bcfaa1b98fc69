/**
 * A minimal TURN client over one real UDP socket (one 5-tuple), for tests against a running
 * server: requests wait for the response with their transaction id; ChannelData and Data
 * indications from the server are queued for `nextData()`.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { lifetime } from '../../src/turn/attributes/lifetime.js';
import { requestedTransport } from '../../src/turn/attributes/requested-transport.js';
import { readAttribute } from '../../src/turn/attribute-reader.js';
import { looksLikeChannelData, parseChannelData } from '../../src/turn/channel-data-frame.js';
import {
  parseStunMessage,
  StunMethod,
  type AttributeInput,
  type StunMessage,
} from '../../src/turn/stun-message.js';
import {
  a,
  challengeOf,
  errorOf,
  request,
  type ClientCredentials,
} from '../turn/turn-test-client.js';

/** What the server relayed to this client. */
export type RelayedToClient =
  | { readonly kind: 'channel'; readonly channel: number; readonly data: Buffer }
  | { readonly kind: 'indication'; readonly message: StunMessage };

/** One client 5-tuple against a TURN server on 127.0.0.1. */
export class TurnUdpClient {
  private readonly waiting = new Map<string, (message: StunMessage) => void>();
  private readonly relayed: RelayedToClient[] = [];
  private relayedWaiter: (() => void) | undefined;

  private constructor(
    readonly socket: Socket,
    private readonly serverPort: number,
    private readonly serverHost: string,
  ) {
    socket.on('message', (bytes: Buffer) => {
      if (looksLikeChannelData(bytes)) {
        const frame = parseChannelData(bytes);
        if (frame !== undefined)
          this.push({ kind: 'channel', channel: frame.channel, data: Buffer.from(frame.data) });
        return;
      }
      const parsed = parseStunMessage(bytes);
      if (!parsed.ok) return;
      if (parsed.message.cls === 'indication') {
        this.push({ kind: 'indication', message: parsed.message });
        return;
      }
      const id = Buffer.from(parsed.message.transactionId).toString('hex');
      this.waiting.get(id)?.(parsed.message);
      this.waiting.delete(id);
    });
  }

  /** Binds a client socket on `localAddress` for a server on `serverHost:serverPort`. */
  static async open(
    serverPort: number,
    localAddress = '127.0.0.1',
    serverHost = '127.0.0.1',
  ): Promise<TurnUdpClient> {
    const socket = createSocket('udp4');
    socket.bind(0, localAddress);
    await once(socket, 'listening');
    return new TurnUdpClient(socket, serverPort, serverHost);
  }

  private push(item: RelayedToClient): void {
    this.relayed.push(item);
    this.relayedWaiter?.();
  }

  /** Sends raw bytes to the server. */
  sendRaw(bytes: Uint8Array): void {
    this.socket.send(bytes, this.serverPort, this.serverHost);
  }

  /** Sends a request and resolves with its response (rejects after `timeoutMs`). */
  request(
    method: number,
    attributes: readonly AttributeInput[],
    credentials?: ClientCredentials,
    timeoutMs = 2000,
  ): Promise<StunMessage> {
    const transactionId = randomBytes(12);
    const bytes = request(method, attributes, credentials, { transactionId }).bytes;
    const id = transactionId.toString('hex');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`no answer to STUN method 0x${method.toString(16)}`));
      }, timeoutMs);
      this.waiting.set(id, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      this.sendRaw(bytes);
    });
  }

  /** REALM and NONCE from the server's 401 to an unauthenticated Allocate. */
  async challenge(): Promise<{ realm: string; nonce: string }> {
    const answer = await this.request(StunMethod.allocate, [a(requestedTransport, 17)]);
    if (errorOf(answer) !== 401) throw new Error('expected a 401 challenge');
    return challengeOf(answer);
  }

  /** An authenticated Allocate; resolves with the STUN error code (or `undefined`) and lifetime. */
  async allocate(
    credentials: ClientCredentials,
    requestedLifetime?: number,
  ): Promise<{ error: number | undefined; lifetime: number | undefined; message: StunMessage }> {
    const attributes = [a(requestedTransport, 17)];
    if (requestedLifetime !== undefined) attributes.push(a(lifetime, requestedLifetime));
    const message = await this.request(StunMethod.allocate, attributes, credentials);
    const granted = readAttribute(message, lifetime);
    return {
      error: errorOf(message),
      lifetime: granted?.ok === true ? granted.value : undefined,
      message,
    };
  }

  /** Resolves with the next relayed item, or `undefined` after `timeoutMs`. */
  async nextData(timeoutMs = 2000): Promise<RelayedToClient | undefined> {
    const end = Date.now() + timeoutMs;
    while (this.relayed.length === 0) {
      const left = end - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.relayedWaiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.relayedWaiter = undefined;
    }
    return this.relayed.shift();
  }

  close(): void {
    this.socket.close();
  }
}
