import { EventEmitter } from 'node:events';
import type { DhtGetResult, DhtPutRequest, DhtPutResult } from '@sigmesh/protocol';
import { formatDhtBootstrap, type DhtAddress, type DhtBootstrap } from './bootstrap-option.js';
import { BootstrapState } from './bootstrap-state.js';
import { isPublicIpv4 } from './address-scope.js';
import { createDhtClient, type DhtClient } from './dht-client.js';
import { openDht } from './dht-socket.js';
import { createDhtTraffic, type DhtTraffic } from './dht-traffic.js';
import { runMaintenance, type MaintenanceDue } from './maintenance.js';
import { defaultNetwork, networkKey } from './dht-keys.js';
import { createDhtProxy } from './dht-proxy.js';
import { defaultDiscoveryLimits, type DiscoveryLimits } from './discovery-limits.js';
import type { DiscoveryLogger } from './discovery-logger.js';
import { createSigner } from './ed25519-keys.js';
import { createFetchNodeId } from './fetch-node-id.js';
import { createNodeDirectory, type DiscoveredNode } from './node-directory.js';
import { createRoomRendezvous, type JoinOutcome, type RoomPeer } from './room-rendezvous.js';
import type {
  Discovery,
  DiscoveryEvents,
  DiscoveryOptions,
  DiscoveryStatus,
} from './discovery-handle.js';
import { selfMatcher } from './self-matcher.js';
import { FollowUpLookups } from './follow-up-lookups.js';
import { ThrottledWarning } from '../log/throttled-warning.js';

/** Creates the DHT discovery of a node. Nothing touches the network before `start()`. */
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
  readonly #bootstrapState: BootstrapState;
  readonly #followUps = new FollowUpLookups();
  /**
   * A node past maxRooms opens rooms it cannot announce all the time: one line a minute says so
   * (the soak's nodes, each with 521 rooms, logged 265 lines apiece at start and more whenever
   * a room reopened under churn).
   */
  readonly #roomLimitWarning: ThrottledWarning;
  #descriptorSeq: number | null = null;
  readonly #traffic: DhtTraffic = createDhtTraffic();
  #due: MaintenanceDue = { nodeAnnounce: 0, descriptor: 0, nodeLookup: 0 };

  constructor(options: DiscoveryOptions) {
    super();
    this.#options = options;
    this.#limits = { ...defaultDiscoveryLimits, ...options.limits };
    this.#now = options.now ?? Date.now;
    this.#roomLimitWarning = new ThrottledWarning(60_000, this.#now);
    this.#log = options.log;
    this.#bootstrap = options.bootstrap ?? 'mainline';
    this.#bootstrapState = new BootstrapState({
      bootstrap: this.#bootstrap,
      limits: this.#limits,
      now: this.#now,
      log: this.#log,
      tableSize: () => this.#client?.tableSize() ?? 0,
      onJoined: () => {
        this.#due = { nodeAnnounce: 0, descriptor: 0, nodeLookup: 0 };
      },
      onStatus: () => this.emit('status', this.status()),
    });
    const signer = createSigner(options.identity);
    const { announcePort: port, publicUrl } = options;
    const announcePort = typeof port === 'number' ? () => port : port;
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
      publicUrl: typeof publicUrl === 'string' ? () => publicUrl : publicUrl,
      price: options.price ?? (() => 0),
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
      urlOf: (address) => this.#directory.urlAt(address),
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

  /** True while the routing table holds at least one node. */
  get #bootstrapped(): boolean {
    return this.#bootstrapState.bootstrapped;
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
      bootstrapAttempts: this.#bootstrapState.attempts,
      lastError: this.#bootstrapState.lastError,
      nextBootstrapAt: this.#bootstrapState.nextBootstrapAt,
      dhtPort: client?.dht.listening === true ? client.dht.address().port : null,
      rooms: this.#rooms.rooms().length,
      descriptorSeq: this.#descriptorSeq,
      messagesSent: this.#traffic.sent,
      messagesReceived: this.#traffic.received,
      queriesSent: { ...this.#traffic.queriesSent },
      queriesReceived: { ...this.#traffic.queriesReceived },
      roomOperations: this.#rooms.operations(),
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
    const suppressed = outcome === 'limit' ? this.#roomLimitWarning.occurred() : undefined;
    if (suppressed !== undefined)
      this.#log.warn(
        { room, maxRooms: this.#limits.maxRooms, suppressed },
        'discovery: room limit reached; the room is served locally but not announced',
      );
    // The join announces and looks up; its follow-ups only look up (and announce what failed).
    if (outcome === 'joined') {
      this.#followUps.schedule(room, this.#refreshRoomNow(room), () => {
        void this.#refreshRoomNow(room, true);
      });
    }
    return outcome;
  }

  leaveRoom(room: string): boolean {
    this.#followUps.cancel(room);
    return this.#rooms.leave(room);
  }

  lookupRoom(room: string): void {
    void this.#refreshRoomNow(room, true);
  }

  /**
   * Announces and looks up `room` now (with `lookupOnly`: looks it up, announcing only what is
   * due); settles when done (never rejects).
   */
  async #refreshRoomNow(room: string, lookupOnly = false): Promise<void> {
    const client = this.#client;
    if (client === undefined || !this.#bootstrapped || !this.#rooms.rooms().includes(room)) return;
    await this.#rooms
      .refreshRoom(client, room, lookupOnly)
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
    let dht;
    try {
      dht = await openDht({
        bootstrap: this.#bootstrap,
        limits,
        port: this.#options.dhtPort ?? 0,
        host: this.#options.dhtHost ?? '0.0.0.0',
        traffic: this.#traffic,
      });
    } catch (error) {
      this.#state = 'stopped';
      throw error;
    }
    dht.on('warning', (error) => this.#log.debug({ err: error }, 'discovery: DHT warning'));
    dht.on('error', (error) =>
      this.#bootstrapState.recordError(`DHT socket error: ${error.message}`),
    );
    this.#client = createDhtClient(dht, limits.operationTimeoutMs);
    this.#state = 'running';
    this.#bootstrapState.restart();
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
    this.#bootstrapState.set(false, false);
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
        this.#schedule(
          this.#bootstrapped ? this.#limits.tickMs : this.#bootstrapState.retryDelay(),
        );
    }
  }

  async #runTick(client: DhtClient, force: boolean): Promise<void> {
    await this.#bootstrapState.check(client, force, () => this.#client === client);
    if (this.#client !== client || !this.#bootstrapped) return;
    await this.#maintain(client, force);
  }

  async #maintain(client: DhtClient, force: boolean): Promise<void> {
    const seq = await runMaintenance({
      client,
      force,
      now: this.#now(),
      due: this.#due,
      limits: this.#limits,
      directory: this.#directory,
      rooms: this.#rooms,
      log: this.#log,
      current: () => this.#client === client,
    });
    if (seq !== undefined) this.#descriptorSeq = seq;
  }
}
