// Types for the parts of bittorrent-dht 11.x (ESM, untyped) that sigmesh uses. Written from the
// library's client.js and k-rpc; Buffer-typed where the library hands out Node Buffers.
declare module 'bittorrent-dht' {
  import { EventEmitter } from 'node:events';
  import type { Socket } from 'node:dgram';
  import type { AddressInfo } from 'node:net';

  export interface DhtNodeAddress {
    host: string;
    port: number;
  }

  export interface DhtContact extends DhtNodeAddress {
    id: Buffer;
  }

  export interface DhtOptions {
    /** 20-byte node id; random when absent. */
    nodeId?: Buffer | string;
    /** `false` for none, an array of nodes or `"host:port"` strings; the public routers when absent. */
    bootstrap?: false | ReadonlyArray<DhtNodeAddress | string>;
    /** Our own address: when set, announce() also records us locally. */
    host?: string;
    /** Max age of stored announced peers in ms; 0 (the default) means they never expire. */
    maxAge?: number;
    maxPeers?: number;
    maxValues?: number;
    maxTables?: number;
    /** ed25519 verify used for BEP 44 mutable items (required to store or read them). */
    verify?: (signature: Buffer, message: Buffer, publicKey: Buffer) => boolean;
    /** Query timeout in ms (k-rpc-socket, default 2000). */
    timeout?: number;
    concurrency?: number;
    k?: number;
    /** The UDP socket to use (handed down to k-rpc-socket); a new udp4 socket when absent. */
    socket?: Socket;
  }

  export interface MutablePutOptions {
    k: Buffer;
    v: Buffer;
    seq: number;
    salt?: Buffer;
    sig?: Buffer;
    sign?: (signable: Buffer) => Buffer;
    cas?: number;
  }

  export interface GetOptions {
    verify?: (signature: Buffer, message: Buffer, publicKey: Buffer) => boolean;
    salt?: Buffer;
    /** `false` to skip the local value cache and ask the network. */
    cache?: boolean;
  }

  /** A `get` answer: for a mutable item `k`, `sig`, `seq` (and `salt` when asked with one). */
  export interface GetResult {
    id: Buffer;
    v: Buffer;
    k?: Buffer;
    sig?: Buffer;
    seq?: number;
    salt?: Buffer;
    token?: Buffer;
  }

  /** An error from k-rpc: `code` is the KRPC error number (e.g. 302) or a string like 'ETIMEDOUT'. */
  export interface DhtQueryError extends Error {
    code?: number | string;
  }

  export interface RoutingTable {
    count(): number;
    toArray(): DhtContact[];
    /**
     * k-bucket's: how many of a full bucket's oldest contacts it asks the DHT to ping when a new
     * contact arrives (k-rpc sets it to its query concurrency, 16).
     */
    numberOfNodesToPing: number;
  }

  export default class DHT extends EventEmitter {
    constructor(options?: DhtOptions);
    readonly nodeId: Buffer;
    readonly nodes: RoutingTable;
    listening: boolean;
    destroyed: boolean;
    /** Set once bootstrap finished — whether or not it found anybody. */
    ready?: boolean;
    listen(port?: number, host?: string, onListening?: () => void): void;
    address(): AddressInfo;
    addNode(node: DhtNodeAddress & { id?: Buffer }): void;
    removeNode(id: Buffer): void;
    /** BEP 5 announce_peer; port 0 means implied_port (the UDP source port). */
    announce(
      infoHash: Buffer | string,
      port: number,
      callback?: (error: DhtQueryError | null, count?: number) => void,
    ): void;
    /** BEP 5 get_peers; peers arrive as `'peer'` events. Returns an abort function. */
    lookup(
      infoHash: Buffer | string,
      callback?: (error: DhtQueryError | null, visited?: number) => void,
    ): () => void;
    put(
      options: MutablePutOptions,
      callback?: (error: DhtQueryError | null, target: Buffer, stored?: number) => void,
    ): Buffer;
    get(
      target: Buffer | string,
      options: GetOptions,
      callback: (error: DhtQueryError | null, result: GetResult | null) => void,
    ): void;
    destroy(callback?: () => void): void;
    toJSON(): { nodes: DhtNodeAddress[] };

    on(
      event: 'peer',
      listener: (peer: DhtNodeAddress, infoHash: Buffer, from: DhtNodeAddress | null) => void,
    ): this;
    on(event: 'ready' | 'listening' | 'close', listener: () => void): this;
    on(event: 'error' | 'warning', listener: (error: Error) => void): this;
    on(event: 'node', listener: (node: DhtContact) => void): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
    once(
      event: 'peer',
      listener: (peer: DhtNodeAddress, infoHash: Buffer, from: DhtNodeAddress | null) => void,
    ): this;
    once(event: 'ready' | 'listening' | 'close', listener: () => void): this;
    once(event: 'error' | 'warning', listener: (error: Error) => void): this;
    once(event: 'node', listener: (node: DhtContact) => void): this;
    once(event: string, listener: (...args: unknown[]) => void): this;
  }
}
