// Types for the parts of bittorrent-tracker 11.2 (no bundled types) the tracker tests use.

declare module 'bittorrent-tracker' {
  import { EventEmitter } from 'node:events';
  import type { AddressInfo } from 'node:net';

  /** A simple-peer connection as the client hands it out (`id`: the other peer's id, hex). */
  export interface TrackerPeer extends EventEmitter {
    id?: string;
    destroy(): void;
  }

  /** An `update` (announce reply) or `scrape` event. */
  export interface TrackerCounts {
    readonly announce: string;
    readonly infoHash: string;
    readonly complete: number;
    readonly incomplete: number;
  }

  export interface TrackerClientOptions {
    readonly infoHash: string;
    readonly peerId: string;
    readonly announce: readonly string[];
    /** Required in Node (used only by HTTP and UDP trackers). */
    readonly port: number;
    /** The WebRTC implementation simple-peer uses (RTCPeerConnection and friends). */
    readonly wrtc?: unknown;
    readonly rtcConfig?: unknown;
    readonly getAnnounceOpts?: () => Record<string, unknown>;
  }

  /** The tracker client WebTorrent uses. */
  export class Client extends EventEmitter {
    constructor(options: TrackerClientOptions);
    start(options?: Record<string, unknown>): void;
    stop(options?: Record<string, unknown>): void;
    complete(options?: Record<string, unknown>): void;
    update(options?: Record<string, unknown>): void;
    scrape(options?: Record<string, unknown>): void;
    setInterval(ms: number): void;
    destroy(callback?: () => void): void;
    on(event: 'peer', listener: (peer: TrackerPeer) => void): this;
    on(event: 'update' | 'scrape', listener: (data: TrackerCounts) => void): this;
    on(event: 'warning' | 'error', listener: (error: Error) => void): this;
  }

  /** The reference server (the benchmark's baseline). */
  export class Server extends EventEmitter {
    constructor(options?: { http?: boolean; udp?: boolean; ws?: boolean; stats?: boolean });
    readonly ws: { address(): AddressInfo };
    listen(port: number, hostname: string, onListening: () => void): void;
    close(callback?: () => void): void;
  }
}
