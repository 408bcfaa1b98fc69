import { randomBytes } from 'node:crypto';
import { homedir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { RoomHash } from '@sigmesh/protocol';
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
import { meshTurnPeers } from './mesh/turn-mesh-peers.js';
import { emptyMeshStats, type MeshStats } from './mesh/mesh-stats.js';
import type { NodeContext } from './node-context.js';
import { createTurnService } from './turn/turn-service.js';
import { ConnectionGuard, type ConnectionStats } from './http/connection-guard.js';
import { dispatchUpgrades, type UpgradeTarget } from './http/upgrade-dispatch.js';
import type { Dialect, DialectFactory } from './dialects/dialect.js';
import { defaultDialects } from './dialects/default-dialects.js';
import { hostResources, type HostLimits, type HostResources } from './resources/host-resources.js';
import type { ResourcePlan } from './resources/resource-plan.js';

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
  /** The host's open-file limit and ephemeral ports, instead of reading them (tests). */
  readonly hostLimits?: HostLimits;
  /** The dialects this node speaks besides its own API (docs/dialects.md); default: `defaultDialects`. */
  readonly dialects?: readonly DialectFactory[];
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
  /** Closes the link to another node, if any (tests cutting links; operators). */
  disconnect(id: string): boolean;
  /** The remote members this node counts as present in a room (its mesh view). */
  remoteMembers(room: string): string[];
  /** The caps sized from the host's limits, and what is held and refused now. */
  resources(): NodeResourceStatus;
}

/** {@link SigmeshNode.resources}: the plan and the live counts behind it. */
export interface NodeResourceStatus {
  readonly plan: ResourcePlan;
  readonly connections: ConnectionStats;
  readonly turn: { readonly allocations: number; readonly tcpConnections: number };
}

/** Creates a node from options (validated against the option table; throws ConfigError listing every problem). */
export function createNode(options: NodeOptions = {}): SigmeshNode {
  const {
    identity: givenIdentity,
    logger,
    now = Date.now,
    load: givenLoad,
    discoveryLimits,
    hostLimits,
    dialects: dialectFactories = defaultDialects,
    ...configOptions
  } = options;
  const config = resolveNodeConfig(configOptions);
  const log = logger ?? createLogger(config.logLevel);
  const host = hostResources(config, hostLimits);
  const plan = host.plan;
  const connections = new ConnectionGuard({
    limits: {
      maxConnections: plan.maxConnections,
      // Behind a trusted proxy every connection comes from the proxy: only the total applies.
      maxPerAddress: config.trustProxy ? 0 : config.maxConnectionsPerAddress,
    },
    plainHttp: config.tlsCert === '',
    log,
  });
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
  const turn = createTurnService({
    settings: {
      ...config,
      turnMaxAllocations: plan.turnMaxAllocations,
      turnMaxTcpConnections: plan.turnMaxTcpConnections,
    },
    host: config.host,
    log,
    now,
  });

  // The price follows the load less what refusing unpaid floods costs (see PricedLoad); a TURN
  // credential costs what it can hold, scaled by how full the TURN server is.
  const pricing = new PowPricing(config, new PricedLoad(load, refusedWork), now, (scope) =>
    scope === 'token' ? turn.credentialPriceFactor() : 1,
  );
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
  let app: FastifyInstance | undefined;
  let mesh: Mesh | undefined;
  let discovery: Discovery | undefined;
  let bridge: { stop(): void } | undefined;
  let dialects: Dialect[] = [];
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

  let turnPeersTimer: NodeJS.Timeout | undefined;
  /**
   * Other nodes' TURN relays are on their hosts: linked nodes the DHT verified, in the ranges the
   * operator allowed, are TURN peers while linked (docs/security.md § TURN peers from links).
   * Recomputed when links change and every few seconds, as nodes get verified.
   */
  const refreshTurnPeers = (): void => {
    if (config.turnAllowMeshPeer.length === 0 || mesh === undefined) return;
    const linked = mesh.links().map((link) => link.id);
    turn.server?.setExtraAllowedPeers(
      meshTurnPeers(linked, discovery?.knownNodes() ?? [], config.turnAllowMeshPeer),
    );
  };

  async function doStart(): Promise<void> {
    logResources(log, host, config);
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
      onLinksChanged: () => refreshTurnPeers(),
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
    dialects = dialectFactories.map((make) =>
      make({ config, log, now, rooms, identity: identity!, load, turn, version, publicUrl: url }),
    );
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
      resources: plan,
      connections,
      now,
      startedAt: now(),
      publicUrl: url,
      dialects,
    };
    const created = await createApp(ctx);
    app = created;
    const upgrades = new Map<string, UpgradeTarget>([['/mesh', mesh]]);
    for (const dialect of dialects) for (const path of dialect.paths) upgrades.set(path, dialect);
    created.server.on('upgrade', dispatchUpgrades(upgrades, log));
    sampler?.start();
    rooms.start();
    await turn.start();
    await created.listen({ host: config.host, port: config.port });
    const address = created.server.address();
    if (address === null || typeof address === 'string')
      throw new Error('the HTTP server has no TCP address');
    bound = { host: address.address, port: address.port };
    // Links carry our URL and dial static peers: only once we listen.
    mesh.start();
    if (config.turnAllowMeshPeer.length > 0) {
      turnPeersTimer = setInterval(refreshTurnPeers, 5_000);
      turnPeersTimer.unref();
    }
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
        clearInterval(turnPeersTimer);
        for (const dialect of dialects) dialect.stop();
        mesh?.stop();
        await discovery?.stop();
        const closing = app?.close();
        connections.destroyAll();
        await closing;
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
    disconnect: (id) => mesh?.disconnect(id) ?? false,
    remoteMembers: (room) => mesh?.remoteMembers(room as RoomHash) ?? [],
    resources() {
      const stats = turn.server?.stats();
      return {
        plan,
        connections: connections.stats(),
        turn: { allocations: stats?.allocations ?? 0, tcpConnections: stats?.tcpConnections ?? 0 },
      };
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

/**
 * One info line with the caps, and a warning per shortfall: the operator learns once, at start,
 * when the host's limits are too low for what the node is configured to hold (issue 11).
 */
function logResources(log: Logger, host: HostResources, config: NodeConfig): void {
  const { plan, raise } = host;
  if (raise?.outcome === 'raised')
    log.info(
      { before: raise.before?.soft, after: raise.after?.soft },
      'raised the open-file soft limit to the hard limit',
    );
  else if (raise?.outcome === 'failed')
    log.warn(
      { soft: raise.before?.soft, hard: raise.before?.hard, detail: raise.detail },
      'could not raise the open-file soft limit to the hard limit (prlimit)',
    );
  log.info(
    {
      fdLimit: plan.fdLimit ?? 'unknown',
      fdReserve: plan.fdReserve,
      maxConnections: plan.maxConnections,
      maxConnectionsPerAddress: config.trustProxy
        ? 'off (trust proxy)'
        : config.maxConnectionsPerAddress,
      turnMaxAllocations: plan.turnMaxAllocations,
      turnMaxTcpConnections: plan.turnMaxTcpConnections,
    },
    'resource caps',
  );
  for (const shortfall of plan.shortfalls) log.warn({ fdLimit: plan.fdLimit }, shortfall);
}
