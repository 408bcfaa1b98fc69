import { EventEmitter } from 'node:events';
import { networkInterfaces } from 'node:os';
import { randomBytes } from 'node:crypto';
import DHT, { type DhtOptions } from 'bittorrent-dht';
import type { DhtGetResult, DhtPutRequest, DhtPutResult } from '@sigmesh/protocol';
import { formatDhtBootstrap, type DhtAddress, type DhtBootstrap } from './bootstrap-option.js';
import { isPublicIpv4 } from './address-scope.js';
import { createDhtClient, verifyForDht, type DhtClient } from './dht-client.js';
import { defaultNetwork, networkKey } from './dht-keys.js';
import { createDhtProxy } from './dht-proxy.js';
import { defaultDiscoveryLimits, type DiscoveryLimits } from './discovery-limits.js';
import type { DiscoveryLogger } from './discovery-logger.js';
import { createSigner, type Ed25519Identity } from './ed25519-keys.js';
import { createFetchNodeId, type IdentifyNode } from './fetch-node-id.js';
import { createNodeDirectory, type DiscoveredNode } from './node-directory.js';
import { createRoomRendezvous, type JoinOutcome, type RoomPeer } from './room-rendezvous.js';

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

/** Creates the DHT discovery of a node. Nothing touches the network before `start()`. */
/** Extra lookups of a room after it opens, in ms after the join. */
const FOLLOW_UP_LOOKUPS_MS = [1_000, 2_000, 4_000, 8_000];

export function createDiscovery(options: DiscoveryOptions): Discovery {
  return new DhtDiscovery(options);
}

class DhtDiscovery extends EventEmitter<DiscoveryEvents> implements Discovery {
  readonly #limits: DiscoveryLimits;
  readonly #now: () => number;
  readonly #log: DiscoveryLogger;
  readonly #bootstrap: DhtBootstrap;
  readonly #options: DiscoveryOptions;
  readonly #directory;
  readonly #rooms;
  readonly #proxy;
  #state: DiscoveryStatus['state'] = 'stopped';
  #client: DhtClient | undefined;
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #bootstrapped = false;
  #attempts = 0;
  readonly #followUps = new Map<string, NodeJS.Timeout[]>();
  #nextBootstrapAt: number | null = null;
  #lastError: string | null = null;
  #descriptorSeq: number | null = null;
  #due = { nodeAnnounce: 0, descriptor: 0, nodeLookup: 0 };

  constructor(options: DiscoveryOptions) {
    super();
    this.#options = options;
    this.#limits = { ...defaultDiscoveryLimits, ...options.limits };
    this.#now = options.now ?? Date.now;
    this.#log = options.log;
    this.#bootstrap = options.bootstrap ?? 'mainline';
    const signer = createSigner(options.identity);
    const announcePort =
      typeof options.announcePort === 'number'
        ? constant(options.announcePort)
        : options.announcePort;
    const self = selfMatcher(options, announcePort);
    const allowPrivate = options.allowPrivatePeers ?? this.#bootstrap !== 'mainline';
    // Our own announces come back in lookups, and non-public addresses are refused unless allowed:
    // both are simply skipped.
    const ignore = (address: DhtAddress): boolean =>
      self(address) || (!allowPrivate && !isPublicIpv4(address.host));
    this.#directory = createNodeDirectory({
      signer,
      now: this.#now,
      log: this.#log,
      limits: this.#limits,
      networkKey: networkKey(options.network ?? defaultNetwork),
      announcePort,
      publicUrl:
        typeof options.publicUrl === 'string' ? constant(options.publicUrl) : options.publicUrl,
      price: options.price ?? constant(0),
      version: options.version ?? '0.0.0',
      identify: options.identify ?? createFetchNodeId(this.#limits.identifyTimeoutMs),
      ignore,
    });
    this.#rooms = createRoomRendezvous({
      now: this.#now,
      log: this.#log,
      limits: this.#limits,
      announcePort,
      ignore,
      urlOf: (address) => {
        const node = this.#directory
          .known()
          .find(
            (known) => known.address?.host === address.host && known.address.port === address.port,
          );
        return node?.descriptor.url ?? `http://${address.host}:${address.port}`;
      },
      onPeer: (peer) => this.emit('room-peer', peer),
    });
    this.#proxy = createDhtProxy({
      client: () => this.#client,
      available: () => this.#bootstrapped,
      now: this.#now,
      getCacheMs: this.#limits.getCacheMs,
      notFoundCacheMs: this.#limits.notFoundCacheMs,
      maxCacheEntries: this.#limits.maxCacheEntries,
    });
  }

  start(): Promise<void> {
    if (this.#starting) return this.#starting;
    const previousStop = this.#stopping ?? Promise.resolve();
    this.#starting = previousStop.then(() => this.#open());
    // A failed start leaves the handle stopped and startable again.
    this.#starting.catch(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  stop(): Promise<void> {
    if (this.#stopping) return this.#stopping;
    const starting = this.#starting;
    if (!starting) return Promise.resolve();
    this.#stopping = (async () => {
      await starting.catch(() => undefined);
      for (const timers of this.#followUps.values())
        for (const timer of timers) clearTimeout(timer);
      this.#followUps.clear();
      await this.#close();
    })().finally(() => {
      this.#starting = undefined;
      this.#stopping = undefined;
    });
    return this.#stopping;
  }

  status(): DiscoveryStatus {
    const client = this.#client;
    return {
      state: this.#state,
      bootstrap: formatDhtBootstrap(this.#bootstrap),
      bootstrapped: this.#bootstrapped,
      routingTableSize: client ? client.tableSize() : 0,
      bootstrapAttempts: this.#attempts,
      lastError: this.#lastError,
      nextBootstrapAt: this.#bootstrapped ? null : this.#nextBootstrapAt,
      dhtPort: client?.dht.listening === true ? client.dht.address().port : null,
      rooms: this.#rooms.rooms().length,
      descriptorSeq: this.#descriptorSeq,
    };
  }

  address(): DhtAddress | undefined {
    const dht = this.#client?.dht;
    if (dht?.listening !== true) return undefined;
    const { address, port } = dht.address();
    return { host: address, port };
  }

  joinRoom(room: string): JoinOutcome {
    const outcome = this.#rooms.join(room);
    if (outcome === 'limit')
      this.#log.warn(
        { room, maxRooms: this.#limits.maxRooms },
        'discovery: room limit reached; the room is served locally but not announced',
      );
    if (outcome === 'joined') {
      this.#refreshRoomNow(room);
      // Two nodes opening a room at the same moment each look up before the other's announce
      // has landed; follow-up lookups at 1, 2, 4 and 8 s let them meet in seconds rather than at
      // the next periodic lookup.
      const timers = FOLLOW_UP_LOOKUPS_MS.map((delay) => {
        const timer = setTimeout(() => this.#refreshRoomNow(room), delay);
        timer.unref();
        return timer;
      });
      this.#followUps.set(room, timers);
    }
    return outcome;
  }

  leaveRoom(room: string): boolean {
    for (const timer of this.#followUps.get(room) ?? []) clearTimeout(timer);
    this.#followUps.delete(room);
    return this.#rooms.leave(room);
  }

  #refreshRoomNow(room: string): void {
    const client = this.#client;
    if (client === undefined || !this.#bootstrapped || !this.#rooms.rooms().includes(room)) return;
    this.#rooms
      .refreshRoom(client, room)
      .catch((error: unknown) =>
        this.#log.debug({ room, err: error }, 'discovery: room refresh failed'),
      );
  }

  roomPeers(room: string): RoomPeer[] {
    return this.#rooms.peers(room);
  }

  async lookupNodes(): Promise<DiscoveredNode[]> {
    const client = this.#client;
    if (!client || !this.#bootstrapped) return [];
    return this.#directory.lookupNodes(client);
  }

  knownNodes(): DiscoveredNode[] {
    return this.#directory.known();
  }

  async lookupDescriptor(id: string): Promise<DiscoveredNode | undefined> {
    const client = this.#client;
    if (!client || !this.#bootstrapped) return undefined;
    return this.#directory.lookupDescriptor(client, id);
  }

  async publishDescriptor(): Promise<number> {
    const client = this.#client;
    if (!client || !this.#bootstrapped) throw new Error('discovery is not bootstrapped');
    const seq = await this.#directory.publish(client);
    this.#descriptorSeq = seq;
    this.#due.descriptor = this.#now() + this.#limits.descriptorRepublishMs;
    return seq;
  }

  async refresh(): Promise<void> {
    await this.#tick(true);
  }

  dhtGet(k: Uint8Array, salt: Uint8Array): Promise<DhtGetResult> {
    return this.#proxy.get(k, salt);
  }

  dhtPut(item: DhtPutRequest): Promise<DhtPutResult> {
    return this.#proxy.put(item);
  }

  async #open(): Promise<void> {
    this.#state = 'starting';
    const limits = this.#limits;
    const dhtOptions: DhtOptions = {
      verify: verifyForDht,
      timeout: limits.queryTimeoutMs,
      // Without maxAge, peers announced to us are kept forever: a node gone for days would
      // still be handed out as a room member.
      maxAge: limits.storedPeerMaxAgeMs,
      maxPeers: limits.maxStoredPeers,
      maxValues: limits.maxStoredValues,
    };
    if (this.#bootstrap === 'none') dhtOptions.bootstrap = false;
    else if (this.#bootstrap !== 'mainline') dhtOptions.bootstrap = this.#bootstrap;
    const dht = new DHT(dhtOptions);
    dht.on('warning', (error) => this.#log.debug({ err: error }, 'discovery: DHT warning'));
    try {
      await new Promise<void>((resolve, reject) => {
        const onError = (error: Error): void => reject(error);
        dht.once('error', onError);
        dht.listen(this.#options.dhtPort ?? 0, this.#options.dhtHost ?? '0.0.0.0', () => {
          dht.removeListener('error', onError);
          resolve();
        });
      });
    } catch (error) {
      await new Promise<void>((resolve) => dht.destroy(resolve));
      this.#state = 'stopped';
      throw error;
    }
    dht.on('error', (error) => this.#recordError(`DHT socket error: ${error.message}`));
    this.#client = createDhtClient(dht, limits.operationTimeoutMs);
    this.#state = 'running';
    this.#attempts = 0;
    this.#nextBootstrapAt = null;
    // 'ready' fires when the initial bootstrap finished — also when nobody answered — so it only
    // triggers a check of the routing table.
    // With bootstrap 'none' it may have fired already, while the socket was binding.
    if (dht.ready === true) this.#kick();
    else dht.once('ready', () => this.#kick());
    // A node that bootstraps from us fills our table too (bootstrap 'none' relies on this).
    dht.on('node', () => {
      if (!this.#bootstrapped) this.#kick();
    });
    this.#log.info(
      { dhtPort: dht.address().port, bootstrap: formatDhtBootstrap(this.#bootstrap) },
      'discovery: DHT listening',
    );
    this.#schedule(limits.tickMs);
  }

  async #close(): Promise<void> {
    this.#state = 'stopping';
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const client = this.#client;
    this.#client = undefined;
    this.#running = undefined;
    this.#setBootstrapped(false, false);
    this.#proxy.clear();
    if (client) await client.close();
    this.#state = 'stopped';
  }

  #kick(): void {
    this.#tick(false).catch((error: unknown) =>
      this.#log.error({ err: error }, 'discovery: maintenance failed'),
    );
  }

  #schedule(delayMs: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#kick();
    }, delayMs);
    this.#timer.unref();
  }

  async #tick(force: boolean): Promise<void> {
    // One maintenance run at a time; a forced run (refresh()) waits for the current one and then runs.
    while (this.#running) {
      if (!force) return;
      await this.#running.catch(() => undefined);
    }
    const client = this.#client;
    if (!client) return;
    const run = this.#runTick(client, force);
    this.#running = run;
    try {
      await run;
    } finally {
      // After stop() a run may outlive its client (queries cut off by destroy() only end at
      // operationTimeoutMs); it must not clear the marker of a newer run.
      if (this.#running === run) this.#running = undefined;
      if (this.#client === client)
        this.#schedule(this.#bootstrapped ? this.#limits.tickMs : this.#retryDelay());
    }
  }

  async #runTick(client: DhtClient, force: boolean): Promise<void> {
    await this.#checkBootstrap(client, force);
    if (this.#client !== client || !this.#bootstrapped) return;
    await this.#maintain(client, force);
  }

  async #checkBootstrap(client: DhtClient, force: boolean): Promise<void> {
    if (client.tableSize() > 0) return this.#setBootstrapped(true, true);
    this.#setBootstrapped(false, true);
    const now = this.#now();
    if (!force && this.#nextBootstrapAt !== null && now < this.#nextBootstrapAt) return;
    this.#attempts++;
    if (this.#bootstrap !== 'none') {
      if (typeof this.#bootstrap !== 'string')
        for (const node of this.#bootstrap)
          client.dht.addNode({ host: node.host, port: node.port });
      // With an empty table any lookup falls back to the bootstrap nodes, and every node that
      // answers lands in the routing table.
      await client.lookup(randomBytes(20), 1).catch(() => []);
    }
    if (this.#client !== client) return;
    if (client.tableSize() > 0) return this.#setBootstrapped(true, true);
    this.#nextBootstrapAt = this.#now() + this.#retryDelay();
    // With bootstrap 'none' an empty table is the configured state, not a fault: info, not warn.
    this.#recordError(
      this.#bootstrap === 'none'
        ? 'bootstrap is none: waiting for another node to contact this one'
        : `no DHT bootstrap node answered (attempt ${this.#attempts}); retrying with backoff`,
      this.#bootstrap === 'none' ? 'info' : 'warn',
    );
  }

  #retryDelay(): number {
    const { bootstrapRetryMinMs: min, bootstrapRetryMaxMs: max } = this.#limits;
    const base = Math.min(max, min * 2 ** Math.min(Math.max(this.#attempts - 1, 0), 30));
    return Math.round(base * (0.75 + Math.random() * 0.5));
  }

  #setBootstrapped(value: boolean, announce: boolean): void {
    if (value === this.#bootstrapped) return;
    this.#bootstrapped = value;
    if (value) {
      this.#attempts = 0;
      this.#nextBootstrapAt = null;
      this.#lastError = null;
      // Everything is due at once after (re)joining the DHT.
      this.#due = { nodeAnnounce: 0, descriptor: 0, nodeLookup: 0 };
      this.#log.info(
        { routingTableSize: this.#client?.tableSize() ?? 0 },
        'discovery: DHT bootstrapped',
      );
    } else if (announce) {
      this.#log.warn(
        { bootstrap: formatDhtBootstrap(this.#bootstrap) },
        'discovery: DHT routing table is empty; serving local rooms only and retrying',
      );
    }
    if (announce) this.emit('status', this.status());
  }

  #recordError(message: string, level: 'info' | 'warn' = 'warn'): void {
    const changed = this.#lastError !== message;
    this.#lastError = message;
    if (changed) {
      this.#log[level]({ attempts: this.#attempts }, `discovery: ${message}`);
      this.emit('status', this.status());
    }
  }

  async #maintain(client: DhtClient, force: boolean): Promise<void> {
    const limits = this.#limits;
    const now = this.#now();
    const steps: Array<Promise<unknown>> = [];
    if (force || now >= this.#due.nodeAnnounce) {
      this.#due.nodeAnnounce = now + limits.nodeAnnounceMs;
      steps.push(
        this.#directory
          .announce(client)
          .catch((error: unknown) =>
            this.#log.debug({ err: error }, 'discovery: node announce failed'),
          ),
      );
    }
    if (force || now >= this.#due.descriptor) {
      this.#due.descriptor = now + limits.descriptorRepublishMs;
      steps.push(
        this.#directory
          .publish(client)
          .then((seq) => (this.#descriptorSeq = seq))
          .catch((error: unknown) =>
            this.#log.debug({ err: error }, 'discovery: descriptor publish failed'),
          ),
      );
    }
    steps.push(this.#rooms.refresh(client, force));
    await Promise.all(steps);
    if (this.#client === client && (force || now >= this.#due.nodeLookup)) {
      this.#due.nodeLookup = now + limits.nodeLookupMs;
      await this.#directory
        .lookupNodes(client)
        .catch((error: unknown) =>
          this.#log.debug({ err: error }, 'discovery: node lookup failed'),
        );
    }
  }
}

function constant<T>(value: T): () => T {
  return () => value;
}

/** Our own announces come back in lookups: recognise them by a local host and our announced port. */
function selfMatcher(
  options: DiscoveryOptions,
  announcePort: () => number,
): (address: DhtAddress) => boolean {
  const hosts = new Set(['127.0.0.1', '0.0.0.0']);
  if (options.dhtHost !== undefined) hosts.add(options.dhtHost);
  for (const list of Object.values(networkInterfaces()))
    for (const entry of list ?? []) if (entry.family === 'IPv4') hosts.add(entry.address);
  return (address) => {
    if (address.port !== announcePort()) return false;
    if (hosts.has(address.host)) return true;
    try {
      const url = typeof options.publicUrl === 'string' ? options.publicUrl : options.publicUrl();
      return new URL(url).hostname === address.host;
    } catch {
      return false;
    }
  };
}
