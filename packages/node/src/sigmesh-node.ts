import { randomBytes } from 'node:crypto';
import { homedir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { BYE_MAX_NODES, type RoomHash } from '@sigmesh/protocol';
import { resolveNodeConfig } from './config/resolve-config.js';
import { createApp, packageVersion } from './http/create-app.js';
import { CertificateReloader, type SecureContextTarget } from './http/certificate-reloader.js';
import { drainMembers } from './rooms/member-drain.js';
import { loadOrCreateIdentity, type NodeIdentity } from './identity/node-identity.js';
import { createLogger } from './log/create-logger.js';
import { LoadSampler, type LoadSource } from './pow/load-sampler.js';
import { PowGate } from './pow/pow-gate.js';
import { PowPricing } from './pow/pow-pricing.js';
import { PricedLoad } from './pow/priced-load.js';
import { RefusedWork } from './pow/refused-work.js';
import { ReplaySet } from './pow/replay-set.js';
import { UnpaidLimiter } from './pow/unpaid-limiter.js';
import { RoomRegistry } from './rooms/room-registry.js';
import { parseDhtBootstrap } from './discovery/bootstrap-option.js';
import { createDiscovery } from './discovery/discovery.js';
import type { Discovery } from './discovery/discovery-handle.js';
import { bridgeDiscovery } from './mesh/discovery-bridge.js';
import { Mesh } from './mesh/mesh.js';
import { meshTurnPeers } from './mesh/turn-mesh-peers.js';
import { emptyMeshStats } from './mesh/mesh-stats.js';
import type { NodeContext } from './node-context.js';
import { createTurnService } from './turn/turn-service.js';
import { ConnectionGuard } from './http/connection-guard.js';
import { dispatchUpgrades, type UpgradeTarget } from './http/upgrade-dispatch.js';
import type { Dialect } from './dialects/dialect.js';
import { defaultDialects } from './dialects/default-dialects.js';
import { hostResources } from './resources/host-resources.js';
import { sessionPrefix } from './workers/worker-routing.js';
import type { NodeOptions, SigmeshNode } from './sigmesh-node-handle.js';

export type {
  NodeOptions,
  NodeResourceStatus,
  SigmeshNode,
  StopOptions,
} from './sigmesh-node-handle.js';
import { logResources } from './resources/log-resources.js';
import { holdMemoryTrim } from './resources/memory-trim.js';

/** The `bye` hint: come back no sooner than this (a restart takes seconds, an upgrade longer). */
const BYE_RETRY_AFTER_MS = 60_000;

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
    worker,
    ...configOptions
  } = options;
  const config = resolveNodeConfig(configOptions);
  const log = logger ?? createLogger(config.logLevel, config.logFormat);
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
    ...(worker === undefined ? {} : { minter: worker.index }),
  });
  const rooms = new RoomRegistry({
    limits: config,
    log,
    now,
    ...(worker === undefined ? {} : { sessionPrefix: sessionPrefix(worker.index) }),
  });
  let app: FastifyInstance | undefined;
  let mesh: Mesh | undefined;
  let discovery: Discovery | undefined;
  let bridge: { stop(): void } | undefined;
  let dialects: Dialect[] = [];
  let identity: NodeIdentity | undefined = givenIdentity;
  let bound: { host: string; port: number } | undefined;
  let certificates: CertificateReloader | undefined;
  const drainCut = new AbortController();
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
  let memoryTrim: ReturnType<typeof holdMemoryTrim> | undefined;
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
      ...(worker === undefined ? {} : { worker }),
    };
    const created = await createApp(ctx);
    app = created;
    const upgrades = new Map<string, UpgradeTarget>([['/mesh', mesh]]);
    for (const dialect of dialects) for (const path of dialect.paths) upgrades.set(path, dialect);
    const dispatch = dispatchUpgrades(upgrades, log);
    created.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (worker?.routeUpgrade(request, socket, head) !== true) dispatch(request, socket, head);
    });
    worker?.serve(created.server);
    sampler?.start();
    rooms.start();
    await turn.start();
    await created.listen({ host: config.host, port: config.port });
    const address = created.server.address();
    if (address === null || typeof address === 'string')
      throw new Error('the HTTP server has no TCP address');
    bound = { host: address.address, port: address.port };
    if (config.tlsCert !== '') {
      certificates = new CertificateReloader({
        certFile: config.tlsCert,
        keyFile: config.tlsKey,
        target: created.server as unknown as SecureContextTarget,
        log,
        intervalMs: config.tlsReloadMs,
      });
      certificates.start();
    }
    // Links carry our URL and dial static peers: only once we listen.
    mesh.start();
    if (config.turnAllowMeshPeer.length > 0) {
      turnPeersTimer = setInterval(refreshTurnPeers, 5_000);
      turnPeersTimer.unref();
    }
    memoryTrim = holdMemoryTrim(config.memoryTrimSeconds);
    if (config.memoryTrimSeconds > 0 && !memoryTrim.available)
      log.debug(
        'freed memory is not given back to the system here (no glibc malloc_trim or koffi)',
      );
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
    stop(options = {}) {
      const drainMs = options.drainMs ?? 0;
      if (stopping !== undefined && drainMs === 0) drainCut.abort();
      stopping ??= (async () => {
        // Stop while starting: let the start finish (or fail) first, then tear down what exists.
        await starting?.catch(() => undefined);
        if (drainMs > 0 && bound !== undefined && mesh !== undefined)
          await drainMembers({
            rooms,
            bye: {
              reason: 'stopping',
              retryAfterMs: BYE_RETRY_AFTER_MS,
              drainMs,
              nodes: otherNodeUrls(mesh, url()),
            },
            log,
            cut: drainCut.signal,
          });
        certificates?.stop();
        sampler?.stop();
        rooms.stop();
        bridge?.stop();
        clearInterval(turnPeersTimer);
        memoryTrim?.release();
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
    reloadTls() {
      if (certificates === undefined) return { ok: false, problem: 'no TLS' } as const;
      return certificates.reload('reload asked for');
    },
    turnPort: () => turn.server?.address()?.port,
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

/** URLs to send members to: linked nodes first, then recently verified ones; never our own. */
function otherNodeUrls(mesh: Mesh, own: string): string[] {
  const urls = new Set<string>();
  for (const link of mesh.links()) if (link.url !== '') urls.add(link.url);
  for (const node of mesh.verifiedNodes(30 * 60_000)) urls.add(node.url);
  urls.delete(own);
  return [...urls].slice(0, BYE_MAX_NODES);
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
