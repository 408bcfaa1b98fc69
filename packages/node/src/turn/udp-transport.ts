/**
 * The UDP side of the listening port. One socket per local address, so every reply leaves from
 * the exact address the client sent to (RFC 8656 §5; Chromium drops answers from elsewhere).
 * Datagrams are demultiplexed by their first byte (RFC 7983 §7).
 */
import { createSocket, type Socket } from 'node:dgram';
import type { ClientTuple } from './allocation.js';
import { looksLikeChannelData } from './channel-data-frame.js';
import { ipFamily } from './ip-address.js';
import { literalLookup } from './relay-socket.js';
import type { TurnCore } from './turn-core.js';
import type { TurnLogger } from './turn-options.js';

function bindSocket(address: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({
      type: ipFamily(address) === 4 ? 'udp4' : 'udp6',
      ipv6Only: ipFamily(address) === 6,
      lookup: literalLookup,
    });
    const onError = (error: Error): void => {
      socket.close();
      reject(error);
    };
    socket.once('error', onError);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off('error', onError);
      // Until attach() adds the logging listener, an unheard 'error' would end the process.
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}

/** The listening UDP sockets. */
export class UdpTransport {
  private readonly sockets: Socket[] = [];
  private core: TurnCore | undefined;

  constructor(private readonly logger: TurnLogger) {}

  /** Binds every address on `port` (0: the first socket picks, the rest follow). Returns the port. */
  async bind(addresses: readonly string[], port: number): Promise<number> {
    let chosen = port;
    for (const address of addresses) {
      const socket = await bindSocket(address, chosen);
      chosen = socket.address().port;
      this.sockets.push(socket);
    }
    return chosen;
  }

  /** Starts delivering datagrams to `core`. */
  attach(core: TurnCore): void {
    this.core = core;
    this.sockets.forEach((socket, handle) => {
      socket.on('error', (error) => this.logger.debug({ err: error }, 'turn: udp socket error'));
      socket.on('message', (message, remote) => {
        try {
          if (looksLikeChannelData(message)) {
            core.handleChannelData(`u${handle}|${remote.address}|${remote.port}`, message);
          } else if ((message[0] ?? 0xff) < 4) {
            const tuple: ClientTuple = {
              key: `u${handle}|${remote.address}|${remote.port}`,
              transport: 'udp',
              client: {
                family: remote.family === 'IPv6' ? 6 : 4,
                address: remote.address,
                port: remote.port,
              },
              handle,
            };
            core.handleStun(tuple, message);
          } else {
            core.stats.rejected.TURN_MALFORMED++;
          }
        } catch (error) {
          this.logger.error({ err: error }, 'turn: bug while handling a udp datagram');
        }
      });
    });
  }

  /** Sends to a client from the socket it used. */
  send(tuple: ClientTuple, data: Uint8Array): void {
    this.sockets[tuple.handle]?.send(data, tuple.client.port, tuple.client.address);
  }

  /** Closes every socket. */
  async close(): Promise<void> {
    await Promise.all(
      this.sockets.map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))),
    );
    this.sockets.length = 0;
    this.core = undefined;
  }
}
