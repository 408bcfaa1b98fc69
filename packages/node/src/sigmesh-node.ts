import { randomBytes } from 'node:crypto';
import { homedir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { resolveNodeConfig } from './config/resolve-config.js';
import type { NodeConfig } from './config/node-options.js';
import { createApp, packageVersion } from './http/create-app.js';
import { loadOrCreateIdentity, type NodeIdentity } from './identity/node-identity.js';
import { createLogger, type Logger } from './log/create-logger.js';
import { LoadSampler, type LoadSource } from './pow/load-sampler.js';
import { PowGate } from './pow/pow-gate.js';
import { PowPricing } from './pow/pow-pricing.js';
import { PricedLoad } from './pow/priced-load.js';
import { RefusedWork } from './pow/refused-work.js';
import { ReplaySet } from './pow/replay-set.js';
import { UnpaidLimiter } from './pow/unpaid-limiter.js';
import { RoomRegistry, type RoomStats } from './rooms/room-registry.js';
import { parseDhtBootstrap } from './discovery/bootstrap-option.js';
import { createDiscovery } from './discovery/discovery.js';
import type { Discovery, DiscoveryStatus } from './discovery/discovery-handle.js';
import type { DiscoveryLimits } from './discovery/discovery-limits.js';
import { bridgeDiscovery } from './mesh/discovery-bridge.js';
import { Mesh } from './mesh/mesh.js';
import { emptyMeshStats, type MeshStats } from './mesh/mesh-stats.js';
import type { NodeContext } from './node-context.js';
import { createTurnService } from './turn/turn-service.js';

/** Options of {@link createNode}: any config field, plus injected dependencies for tests and embedders. */
export interface NodeOptions extends Partial<NodeConfig> {
  /** Use this identity instead of the one in the data dir. */
  readonly identity?: NodeIdentity;
  readonly logger?: Logger;
  /** Milliseconds since the epoch; defaults to Date.now. */
  readonly now?: () => number;
  /** Where the price reads load from; defaults to the event-loop/memory sampler. */
  readonly load?: LoadSource;
  /** Discovery intervals and timeouts (tests and testnets shorten them). */
  readonly discoveryLimits?: Partial<DiscoveryLimits>;
}

/** A running (or stopped) node. `start()` and `stop()` are idempotent; stop while starting works. */
export interface SigmeshNode {
  readonly config: NodeConfig;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves once the node listens. */
  readonly ready: Promise<void>;
  /** The bound address; throws before the node listens. */
  address(): { host: string; port: number };
  /** The URL clients use (the public URL, or one derived from the bound address). */
  url(): string;
  /** The node id (hex ed25519 public key); throws before start. */
  id(): string;
  stats(): Readonly<RoomStats>;
  meshStats(): Readonly<MeshStats>;
  /** DHT discovery state; throws before start. */
  dhtStatus(): DiscoveryStatus;
  /** Dials another node's mesh endpoint directly (besides what discovery finds); resolves with its id. */
  connect(url: string): Promise<string>;
}

/** Creates a node from options (validated against the option table; throws ConfigError listing every problem). */
export function createNode(options: NodeOptions = {}): SigmeshNode {
  const {
    identity: givenIdentity,
    logger,
    now = Date.now,
    load: givenLoad,
    discoveryLimits,
    ...configOptions
  } = options;
  const config = resolveNodeConfig(configOptions);
  const log = logger ?? createLogger(config.logLevel);
  const sampler =
    givenLoad === undefined
      ? new LoadSampler({ intervalMs: config.loadSampleMs, memoryLimitBytes: totalmem() })
      : undefined;
  const load: LoadSource = givenLoad ?? sampler!;
  const refusedWork = new RefusedWork({ intervalMs: config.loadSampleMs, now });
  const unpaid = new UnpaidLimiter({
    perSecond: config.unpaidRequestsPerSecond,
    burst: config.unpaidBurst,
    maxClients: config.maxTrackedClients,
    now,
  });
  // The price follows the load less what refusing unpaid floods costs (see PricedLoad).
  const pricing = new PowPricing(config, new PricedLoad(load, refusedWork), now);
  const pow = new PowGate({
    secret: randomBytes(32),
    ttlSeconds: config.powTtlSeconds,
    pricing,
    replay: new ReplaySet({
      generationMs: config.powTtlSeconds * 1000,
      maxPerGeneration: config.powReplayMax,
      now,
    }),
    unpaid,
    priceTolerance: config.powPriceTolerance,
    now,
  });
  const rooms = new RoomRegistry({ limits: config, log, now });
  const turn = createTurnService({ settings: config, host: config.host, log, now });

  let app: FastifyInstance | undefined;
  let mesh: Mesh | undefined;
  let discovery: Discovery | undefined;
  let bridge: { stop(): void } | undefined;
  let identity: NodeIdentity | undefined = givenIdentity;
  let bound: { host: string; port: number } | undefined;
  let starting: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  let resolveReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));

  const url = (): string => {
    if (config.publicUrl !== '') return config.publicUrl.replace(/\/$/, '');
    if (bound === undefined) throw new Error('the node is not listening yet');
    const host =
      bound.host === '0.0.0.0' || bound.host === '::'
        ? 'localhost'
        : bound.host.includes(':')
          ? `[${bound.host}]`
          : bound.host;
    return `${config.tlsCert === '' ? 'http' : 'https'}://${host}:${bound.port}`;
  };

  async function doStart(): Promise<void> {
    identity ??= await loadOrCreateIdentity(
      config.dataDir === '' ? join(homedir(), '.sigmesh') : config.dataDir,
    );
    const version = packageVersion();
    mesh = new Mesh({
      config,
      identity,
      rooms,
      log,
      now,
      version,
      publicUrl: url,
      // Other nodes' TURN relays are on their hosts: their members' relayed candidates must be
      // reachable from ours even when those hosts are in ranges TURN refuses by default.
      onLinksChanged: (addresses) => turn.server?.setExtraAllowedPeers(addresses),
    });
    const bootstrap = parseDhtBootstrap(config.dhtBootstrap);
    if (!bootstrap.ok) throw new Error('unreachable: the bootstrap option was validated');
    discovery = createDiscovery({
      identity,
      log,
      now,
      bootstrap: bootstrap.value,
      dhtPort: config.dhtPort,
      // bittorrent-dht is IPv4 only: bind where HTTP binds when that is an IPv4 address.
      dhtHost: /^\d+\.\d+\.\d+\.\d+$/.test(config.host) ? config.host : '0.0.0.0',
      announcePort: () => bound?.port ?? config.port,
      publicUrl: url,
      price: () => pricing.basePrice().price,
      version,
      ...(discoveryLimits === undefined ? {} : { limits: discoveryLimits }),
    });
    bridge = bridgeDiscovery({
      discovery,
      mesh,
      rooms,
      log,
      verifyEveryMs: discoveryLimits?.nodeLookupMs ?? 60_000,
    });
    const ctx: NodeContext = {
      config,
      identity,
      version,
      log,
      load,
      pricing,
      pow,
      unpaid,
      refusedWork,
      rooms,
      mesh,
      discovery,
      turn,
      now,
      startedAt: now(),
      publicUrl: url,
    };
    const created = await createApp(ctx);
    app = created;
    const meshForUpgrades = mesh;
    created.server.on('upgrade', (request, socket, head) => {
      if (new URL(request.url ?? '/', 'http://x').pathname === '/mesh')
        meshForUpgrades.handleUpgrade(request, socket, head);
      else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    sampler?.start();
    rooms.start();
    mesh.start();
    await turn.start();
    await created.listen({ host: config.host, port: config.port });
    const address = created.server.address();
    if (address === null || typeof address === 'string')
      throw new Error('the HTTP server has no TCP address');
    bound = { host: address.address, port: address.port };
    await discovery.start();
    const dht = discovery.status();
    log.info(
      { dhtPort: dht.dhtPort, bootstrap: dht.bootstrap },
      `DHT on UDP port ${dht.dhtPort ?? '?'} (bootstrap: ${dht.bootstrap})`,
    );
    log.info(
      {
        nodeId: identity.id,
        address: `${bound.host}:${bound.port}`,
        publicUrl: url(),
        tls: config.tlsCert !== '',
      },
      `sigmesh node listening on ${url()}`,
    );
    resolveReady();
  }

  const node: SigmeshNode = {
    config,
    ready,
    start() {
      if (stopping !== undefined)
        return Promise.reject(new Error('the node was stopped; create a new one'));
      starting ??= doStart();
      return starting;
    },
    stop() {
      stopping ??= (async () => {
        // Stop while starting: let the start finish (or fail) first, then tear down what exists.
        await starting?.catch(() => undefined);
        sampler?.stop();
        rooms.stop();
        bridge?.stop();
        mesh?.stop();
        await discovery?.stop();
        await app?.close();
        await turn.stop();
        bound = undefined;
        log.info('sigmesh node stopped');
      })();
      return stopping;
    },
    address() {
      if (bound === undefined) throw new Error('the node is not listening');
      return bound;
    },
    url,
    id() {
      if (identity === undefined) throw new Error('the node has no identity before start()');
      return identity.id;
    },
    stats: () => rooms.stats(),
    meshStats: () => mesh?.stats() ?? emptyMeshStats(),
    dhtStatus() {
      if (discovery === undefined) throw new Error('the node has not started');
      return discovery.status();
    },
    connect(target) {
      if (mesh === undefined) return Promise.reject(new Error('the node has not started'));
      return mesh.connect(target);
    },
  };
  return node;
}

/** Creates and starts a node; resolves once it listens. */
export async function startNode(options: NodeOptions = {}): Promise<SigmeshNode> {
  const node = createNode(options);
  try {
    await node.start();
  } catch (error) {
    await node.stop();
    throw error;
  }
  return node;
}
