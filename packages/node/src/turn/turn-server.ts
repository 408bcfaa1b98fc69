/**
 * `createTurnServer(options)`: the STUN/TURN server on one port over UDP and TCP, around the
 * socket-free {@link TurnCore}. `start()`/`stop()` are idempotent and `stop()` during `start()`
 * waits for the start to settle, then tears everything down.
 */
import type { Socket as UdpSocket } from 'node:dgram';
import type { Allocation } from './allocation.js';
import { ThrottledWarning } from '../log/throttled-warning.js';
import { ipFamily } from './ip-address.js';
import { advertisedRelayIp, interfaceAddresses, openRelaySocket } from './relay-socket.js';
import { TcpTransport } from './tcp-transport.js';
import {
  emptyTurnStats,
  type RelayRequest,
  type TurnActions,
  type TurnStats,
} from './turn-context.js';
import { TurnCore } from './turn-core.js';
import {
  isWildcard,
  resolveTurnOptions,
  type ResolvedTurnOptions,
  type TurnServerOptions,
} from './turn-options.js';
import { UdpTransport } from './udp-transport.js';

/** Where the server listens (UDP and TCP share the port). */
export interface TurnServerAddress {
  readonly address: string;
  readonly port: number;
}

/** A running (or stopped) STUN/TURN server. */
export interface TurnServer {
  /** Binds UDP and TCP; resolves when both listen. Idempotent. */
  start(): Promise<void>;
  /** Closes every socket and allocation. Idempotent; safe while starting. */
  stop(): Promise<void>;
  /** The listening address once started, else `undefined`. */
  address(): TurnServerAddress | undefined;
  /** The IP put into XOR-RELAYED-ADDRESS once started. */
  relayAddress(): string | undefined;
  /** Counters (a snapshot), and the number of live allocations. */
  stats(): TurnStats & { readonly allocations: number; readonly tcpConnections: number };
  /**
   * Replaces the extra allow list (e.g. relay addresses of other mesh nodes). Permissions and
   * channels to an address that is no longer allowed end at once, in both directions.
   */
  setExtraAllowedPeers(entries: readonly string[]): void;
  /** The resolved options (limits with their defaults filled in). */
  readonly options: ResolvedTurnOptions;
  /** Runs the expiry sweep now (normally every second). */
  sweep(): void;
}

const SWEEP_INTERVAL_MS = 1000;
const PORT_RETRIES = 5;

/** Creates the server; throws a RangeError listing every invalid option. */
export function createTurnServer(options: TurnServerOptions): TurnServer {
  const resolved: ResolvedTurnOptions = resolveTurnOptions(options);
  const { logger } = resolved;
  let starting: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  let running:
    | {
        core: TurnCore;
        udp: UdpTransport;
        tcp: TcpTransport;
        timer: NodeJS.Timeout;
        address: TurnServerAddress;
        relayIp: string;
      }
    | undefined;
  let extraAllowed: readonly string[] = resolved.extraAllowedPeers;
  let stopRequested = false;

  const relaySockets = new WeakMap<Allocation, UdpSocket>();
  const relayFailures = new ThrottledWarning(60_000);

  async function listen(): Promise<{ udp: UdpTransport; tcp: TcpTransport; port: number }> {
    const addresses = isWildcard(resolved.host)
      ? [...interfaceAddresses(4), ...(resolved.host === '::' ? interfaceAddresses(6) : [])]
      : [resolved.host];
    let lastError: unknown;
    for (let attempt = 0; attempt < (resolved.port === 0 ? PORT_RETRIES : 1); attempt++) {
      const udp = new UdpTransport(logger);
      const tcp = new TcpTransport(logger, {
        maxConnections: resolved.maxTcpConnections,
        maxPerAddress: resolved.maxTcpConnectionsPerAddress,
        idleTimeoutMs: resolved.tcpIdleTimeoutSeconds * 1000,
        authTimeoutMs: resolved.tcpAuthTimeoutSeconds * 1000,
      });
      try {
        const port = await udp.bind(addresses, resolved.port);
        await tcp.listen(resolved.host, port);
        return { udp, tcp, port };
      } catch (error) {
        lastError = error;
        await udp.close();
        await tcp.close();
      }
    }
    throw lastError instanceof Error ? lastError : new Error('could not bind the TURN port');
  }

  async function doStart(): Promise<void> {
    const { udp, tcp, port } = await listen();
    const relayFamily = ipFamily(
      resolved.relayAddress ?? (isWildcard(resolved.relayHost) ? '0.0.0.0' : resolved.relayHost),
    );
    const relayIp = resolved.relayAddress ?? advertisedRelayIp(resolved.relayHost, relayFamily);
    const actions: TurnActions = {
      toClient(tuple, data) {
        if (tuple.transport === 'udp') udp.send(tuple, data);
        else tcp.send(tuple, data);
      },
      toPeer(allocation, peer, data) {
        relaySockets.get(allocation)?.send(data, peer.port, peer.address);
      },
      openRelay(request) {
        void openRelay(core, request, relayFamily, relayIp);
      },
      closeRelay(allocation) {
        const socket = relaySockets.get(allocation);
        relaySockets.delete(allocation);
        socket?.close();
      },
    };
    const core = new TurnCore(resolved, actions, relayFamily);
    core.setExtraAllowedPeers(extraAllowed);
    udp.attach(core);
    tcp.attach(core);
    // A timer callback that throws would end the process: the sweep must never take it down.
    const timer = setInterval(() => {
      try {
        core.sweep();
      } catch (error) {
        logger.error({ err: error }, 'turn: bug in the expiry sweep');
      }
    }, SWEEP_INTERVAL_MS);
    timer.unref();
    running = { core, udp, tcp, timer, address: { address: resolved.host, port }, relayIp };
    logger.info({ host: resolved.host, port, relay: relayIp }, 'turn: listening');
  }

  async function openRelay(
    core: TurnCore,
    request: RelayRequest,
    family: 4 | 6,
    relayIp: string,
  ): Promise<void> {
    let socket: UdpSocket;
    try {
      socket = await openRelaySocket(family, resolved.relayHost, request.evenPort);
    } catch (error) {
      // Out of descriptors or ports: the client gets 508, the operator one line a minute.
      const held = relayFailures.occurred();
      if (held !== undefined)
        logger.warn({ err: error, suppressed: held }, 'turn: could not open a relay socket');
      core.relayFailed(request.id, request.tuple.key);
      return;
    }
    if (running?.core !== core) {
      socket.close();
      return;
    }
    const relayed = { family, address: relayIp, port: socket.address().port };
    const allocation = core.relayOpened(request.id, request.tuple.key, relayed);
    if (allocation === undefined) {
      socket.close();
      return;
    }
    relaySockets.set(allocation, socket);
    socket.on('error', (error) => logger.debug({ err: error }, 'turn: relay socket error'));
    socket.on('message', (message, remote) => {
      try {
        core.handlePeerData(
          allocation,
          { family: remote.family === 'IPv6' ? 6 : 4, address: remote.address, port: remote.port },
          message,
        );
      } catch (error) {
        logger.error({ err: error }, 'turn: bug while relaying a peer datagram');
      }
    });
  }

  async function doStop(): Promise<void> {
    if (starting !== undefined) await starting.catch(() => undefined);
    const current = running;
    running = undefined;
    if (current === undefined) return;
    clearInterval(current.timer);
    current.core.clear();
    await Promise.all([current.udp.close(), current.tcp.close()]);
    logger.info({}, 'turn: stopped');
  }

  return {
    start() {
      stopRequested = false;
      if (stopping !== undefined) return stopping.then(() => this.start());
      if (running !== undefined) return Promise.resolve();
      starting ??= doStart().finally(() => {
        starting = undefined;
      });
      const current = starting;
      return current.then(async () => {
        if (stopRequested) await this.stop();
      });
    },
    stop() {
      stopRequested = true;
      stopping ??= doStop().finally(() => {
        stopping = undefined;
      });
      return stopping;
    },
    options: resolved,
    address: () => running?.address,
    relayAddress: () => running?.relayIp,
    stats() {
      const core = running?.core;
      if (core === undefined || running === undefined) {
        return { ...emptyTurnStats(), allocations: 0, tcpConnections: 0 };
      }
      return {
        ...core.stats,
        rejected: { ...core.stats.rejected },
        allocations: core.state.allocations.size,
        tcpConnections: running.tcp.connectionCount(),
      };
    },
    setExtraAllowedPeers(entries) {
      running?.core.setExtraAllowedPeers(entries);
      extraAllowed = [...entries];
    },
    sweep() {
      running?.core.sweep();
    },
  };
}
