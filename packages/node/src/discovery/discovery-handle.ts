import type { EventEmitter } from 'node:events';
import type { DhtGetResult, DhtPutRequest, DhtPutResult } from '@sigmesh/protocol';
import type { DhtAddress, DhtBootstrap } from './bootstrap-option.js';
import type { DiscoveryLimits } from './discovery-limits.js';
import type { KrpcMethod } from './dht-traffic.js';
import type { DiscoveryLogger } from './discovery-logger.js';
import type { Ed25519Identity } from './ed25519-keys.js';
import type { IdentifyNode } from './fetch-node-id.js';
import type { DiscoveredNode } from './node-directory.js';
import type { JoinOutcome, RoomOperations, RoomPeer } from './room-rendezvous.js';

// The public contract of discovery: what createDiscovery() takes, reports and emits.

/** Options of {@link createDiscovery}. Only `identity`, `log`, `announcePort` and `publicUrl` are required. */
export interface DiscoveryOptions {
  /** The node's ed25519 key pair (KeyObjects, or raw 32-byte public key and private seed). */
  readonly identity: Ed25519Identity;
  readonly log: DiscoveryLogger;
  /** Clock in Unix ms (epochs, descriptor timestamps, retry schedule). Default `Date.now`. */
  readonly now?: () => number;
  /** Default `'mainline'`. Tests always pass a local list or `'none'`. */
  readonly bootstrap?: DhtBootstrap;
  /** UDP port of the DHT; default 0 (any free port). */
  readonly dhtPort?: number;
  /** Address the DHT socket binds; default `'0.0.0.0'` (bittorrent-dht is IPv4 only). */
  readonly dhtHost?: string;
  /**
   * The port announced with BEP 5: the node's HTTP port as others reach it (BEP 5 stores the
   * sender's IP with this port, so room peers come out as `host:httpPort`). A function when the
   * port is known only after the HTTP server listens.
   */
  readonly announcePort: number | (() => number);
  /** The node's public base URL, put into its descriptor. */
  readonly publicUrl: string | (() => string);
  /** The node's current PoW price, put into its descriptor. Default 0. */
  readonly price?: () => number;
  /** Software version for the descriptor. Default `'0.0.0'`. */
  readonly version?: string;
  /** Network name hashed into the network key. Default `'sigmesh:network:v1'`. */
  readonly network?: string;
  /**
   * Accept DHT-given addresses that are loopback, private, link-local or otherwise not public.
   * Default: false with `'mainline'` (strangers must not steer us into our LAN), true otherwise
   * (local testnets and LAN meshes live on such addresses).
   */
  readonly allowPrivatePeers?: boolean;
  /** How to learn the node id at a DHT address. Default: `GET http://HOST:PORT/` as JSON. */
  readonly identify?: IdentifyNode;
  readonly limits?: Partial<DiscoveryLimits>;
}

/** What discovery is doing, for `/`, logs and tests. */
export interface DiscoveryStatus {
  readonly state: 'stopped' | 'starting' | 'running' | 'stopping';
  /** The bootstrap option as text: `mainline`, `none` or `HOST:PORT,…`. */
  readonly bootstrap: string;
  /** True while the routing table holds at least one node. `'ready'` alone proves nothing. */
  readonly bootstrapped: boolean;
  readonly routingTableSize: number;
  /** Bootstrap attempts since the table was last empty. */
  readonly bootstrapAttempts: number;
  readonly lastError: string | null;
  /** When the next bootstrap attempt is due (Unix ms), while not bootstrapped. */
  readonly nextBootstrapAt: number | null;
  /** Bound UDP port of the DHT. */
  readonly dhtPort: number | null;
  /** Rooms announced. */
  readonly rooms: number;
  /** seq of the last descriptor published. */
  readonly descriptorSeq: number | null;
  /** KRPC datagrams the DHT socket sent since discovery was created (across restarts). */
  readonly messagesSent: number;
  /** KRPC datagrams the DHT socket received since discovery was created. */
  readonly messagesReceived: number;
  /** The queries among the datagrams sent, by method (`ping`, `get_peers`, … `other`). */
  readonly queriesSent: Readonly<Record<KrpcMethod, number>>;
  /** The queries among the datagrams received, by method. */
  readonly queriesReceived: Readonly<Record<KrpcMethod, number>>;
  /** Room announces and lookups made (BEP 5 on rooms' derived keys): outcomes and time taken. */
  readonly roomOperations: RoomOperations;
}

/** Events a discovery emits. */
export interface DiscoveryEvents {
  /** A node address newly found on a room's derived key (a hint: dial it and do the handshake). */
  'room-peer': [peer: RoomPeer];
  /** `bootstrapped` changed, or an error was recorded. */
  status: [status: DiscoveryStatus];
}

/** The discovery handle. Every method is safe to call in any state. */
export interface Discovery extends EventEmitter<DiscoveryEvents> {
  /** Binds the DHT socket and starts the maintenance loop; resolves once bound (not once bootstrapped). Idempotent. */
  start(): Promise<void>;
  /** Stops everything and closes the socket. Idempotent; works while starting. */
  stop(): Promise<void>;
  status(): DiscoveryStatus;
  /** The DHT socket address, while running. */
  address(): DhtAddress | undefined;
  /** Starts announcing a room on its derived key (on its first local member). */
  joinRoom(room: string): JoinOutcome;
  /** Stops announcing a room (when it empties). Stored announces expire on their own. */
  leaveRoom(room: string): boolean;
  /** Announces and looks up a joined room now (the mesh lost links in it); no-op otherwise. */
  lookupRoom(room: string): void;
  /** Node addresses found for a room so far. */
  roomPeers(room: string): RoomPeer[];
  /** Looks up the network key now and returns the nodes whose signed descriptors verify ([] when not bootstrapped). */
  lookupNodes(): Promise<DiscoveredNode[]>;
  /** Nodes verified recently, newest first (for `GET /nodes`, after the mesh handshake). */
  knownNodes(): DiscoveredNode[];
  /** Fetches and verifies one node's descriptor by node id. */
  lookupDescriptor(id: string): Promise<DiscoveredNode | undefined>;
  /** Publishes the descriptor now (e.g. when the price changed a lot); resolves with its seq. */
  publishDescriptor(): Promise<number>;
  /** Runs all periodic work now: bootstrap check, node announce, descriptor, every room. */
  refresh(): Promise<void>;
  /** BEP 44 get for clients (cached briefly). Rejects with DHT_* SigmeshErrors. */
  dhtGet(k: Uint8Array, salt: Uint8Array): Promise<DhtGetResult>;
  /** BEP 44 put of a client-signed item. Rejects with DHT_* SigmeshErrors. */
  dhtPut(item: DhtPutRequest): Promise<DhtPutResult>;
}
