// Types for the parts of bittorrent-tracker 11.0 (no bundled types) the client benchmark uses.
// 11.0 exports only its index (Client, Server); browsers bundle it without the server.

declare module 'bittorrent-tracker' {
  import { EventEmitter } from 'node:events';
  import type { AddressInfo } from 'node:net';

  /** Which transports to serve; the benchmark serves only the WebSocket (WebTorrent) tracker. */
  export interface TrackerServerOptions {
    readonly http?: boolean;
    readonly udp?: boolean;
    readonly ws?: boolean;
    readonly stats?: boolean;
  }

  /** The tracker server; `ws.address()` is where the WebSocket tracker listens. */
  export class Server extends EventEmitter {
    constructor(options?: TrackerServerOptions);
    readonly ws: { address(): AddressInfo };
    listen(port: number, hostname: string, onListening: () => void): void;
    close(callback?: () => void): void;
  }

  /** A simple-peer connection as the tracker client hands it out. */
  export interface TrackerPeer {
    on(event: 'connect', listener: () => void): void;
    on(event: 'error', listener: (error: Error) => void): void;
  }

  export interface TrackerClientOptions {
    readonly infoHash: string;
    readonly peerId: string;
    readonly announce: readonly string[];
    readonly rtcConfig?: RTCConfiguration;
  }

  /** The browser tracker client WebTorrent uses: announces with WebRTC offers, relays answers. */
  export class Client {
    constructor(options: TrackerClientOptions);
    start(options?: { numwant?: number }): void;
    on(event: 'peer', listener: (peer: TrackerPeer) => void): void;
    on(event: 'error' | 'warning', listener: (error: Error) => void): void;
    destroy(): void;
  }
}
