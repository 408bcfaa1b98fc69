/**
 * TURN inside a node: the built-in server started and stopped with the node, or an external
 * coturn sharing `--turn-secret` (then no server runs here). Either way `POST /token` asks this
 * service for an ICE server list with fresh TURN REST credentials.
 */
import { randomBytes } from 'node:crypto';
import { parseCidrList } from './cidr.js';
import { buildIceServers, type IceServerList } from './ice-servers.js';
import { canonicalIp } from './ip-address.js';
import { mintTurnCredentials } from './rest-credentials.js';
import { createTurnServer, type TurnServer } from './turn-server.js';
import { TURN_LIMIT_DEFAULTS, type TurnLogger } from './turn-options.js';
import { credentialPriceFactor } from './credential-cost.js';

/** The node options the service reads (flags `--turn-port`, `--turn-allow-peer`, …). */
export interface TurnSettings {
  /** Built-in server port; -1 turns it off; 0 picks a free port. */
  readonly turnPort: number;
  /** CIDRs peers may be in although special-purpose. */
  readonly turnAllowPeer: readonly string[];
  /** Shared REST secret(s), comma-separated for rotation; empty: random per process (built-in only). */
  readonly turnSecret: string;
  /** `HOST:PORT` of an external TURN server sharing the secret; turns the built-in one off. */
  readonly turnExternal: string;
  /** Public IP advertised in XOR-RELAYED-ADDRESS; empty: the relay socket's address. */
  readonly turnRelayIp?: string;
  /** Seconds minted credentials stay valid. */
  readonly turnCredentialTtlSeconds?: number;
  /** Allocations on the built-in server (already derived from the host's limits; 0: the server's default). */
  readonly turnMaxAllocations?: number;
  /** Allocations per client address. */
  readonly turnMaxAllocationsPerAddress?: number;
  /** TCP client connections (already derived; 0: the server's default). */
  readonly turnMaxTcpConnections?: number;
  /** TCP client connections per client address. */
  readonly turnMaxTcpConnectionsPerAddress?: number;
  /** Silence after which a TCP connection without an allocation is closed. */
  readonly turnTcpAuthTimeoutSeconds?: number;
  /** Fill in percent from which lifetimes are short. */
  readonly turnCrowdedPercent?: number;
  /** Longest lifetime granted while crowded. */
  readonly turnCrowdedLifetimeSeconds?: number;
}

/** Inputs of {@link createTurnService}. */
export interface TurnServiceInput {
  readonly settings: TurnSettings;
  /** The node's bind address; the built-in TURN server binds there too. */
  readonly host: string;
  readonly log: TurnLogger;
  readonly now: () => number;
}

/** TURN as seen by the node. */
export interface TurnService {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The built-in server, when one runs. */
  readonly server: TurnServer | undefined;
  /**
   * ICE servers for one client. `requestHost` is the host name the client reached the node under
   * (used for the built-in server). `undefined` when TURN is off.
   */
  iceServers(clientId: string, requestHost: string): IceServerList | undefined;
  /**
   * How many base prices one `/token` credential costs now (≥ 1): what it can hold, and how full
   * the built-in server is (credential-cost.ts). An external server's fill is unknown; its
   * quota per credential is assumed to be ours (docs/operations.md sets coturn's user-quota so).
   */
  credentialPriceFactor(): number;
}

const DEFAULT_TTL_SECONDS = 3600;

/** Splits `HOST:PORT` (IPv6 in brackets); `undefined` when malformed. */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  const host = match[1].startsWith('[') ? match[1].slice(1, -1) : match[1];
  if (match[1].startsWith('[') && canonicalIp(host) === undefined) return undefined;
  return { host, port };
}

/** Every problem with the TURN settings, for the node's one ConfigError. */
export function validateTurnSettings(settings: TurnSettings): string[] {
  const problems: string[] = [];
  const { invalid } = parseCidrList(settings.turnAllowPeer);
  if (invalid.length > 0) problems.push(`--turn-allow-peer: not a CIDR: ${invalid.join(', ')}`);
  if (settings.turnExternal !== '') {
    if (parseHostPort(settings.turnExternal) === undefined)
      problems.push('--turn-external must be HOST:PORT');
    if (settings.turnSecret === '')
      problems.push('--turn-external needs --turn-secret (the secret the TURN server shares)');
  }
  if (
    settings.turnRelayIp !== undefined &&
    settings.turnRelayIp !== '' &&
    canonicalIp(settings.turnRelayIp) === undefined
  ) {
    problems.push('--turn-relay-ip must be an IP address');
  }
  return problems;
}

/** Host part of a Host header (`name:port`, `[v6]:port`, `name`). */
function hostOnly(requestHost: string): string {
  if (requestHost.startsWith('[')) return requestHost.slice(1, requestHost.indexOf(']'));
  const colon = requestHost.lastIndexOf(':');
  return colon > 0 && requestHost.indexOf(':') === colon
    ? requestHost.slice(0, colon)
    : requestHost;
}

/** Creates the service (validates nothing: the node's config did). */
export function createTurnService(input: TurnServiceInput): TurnService {
  const { settings } = input;
  const secrets =
    settings.turnSecret === ''
      ? [randomBytes(24).toString('base64url')]
      : settings.turnSecret.split(',').map((s) => s.trim());
  const external = settings.turnExternal === '' ? undefined : parseHostPort(settings.turnExternal);
  const ttlSeconds = settings.turnCredentialTtlSeconds ?? DEFAULT_TTL_SECONDS;
  const limits = {
    maxAllocations: settings.turnMaxAllocations,
    maxAllocationsPerAddress: settings.turnMaxAllocationsPerAddress,
    maxTcpConnections: settings.turnMaxTcpConnections,
    maxTcpConnectionsPerAddress: settings.turnMaxTcpConnectionsPerAddress,
    tcpAuthTimeoutSeconds: settings.turnTcpAuthTimeoutSeconds,
    crowdedPercent: settings.turnCrowdedPercent,
    crowdedLifetimeSeconds: settings.turnCrowdedLifetimeSeconds,
  };
  const server =
    external === undefined && settings.turnPort >= 0
      ? createTurnServer({
          host: input.host,
          port: settings.turnPort,
          secrets,
          allowedPeerCidrs: settings.turnAllowPeer,
          ...Object.fromEntries(
            Object.entries(limits).filter(([, value]) => value !== undefined && value > 0),
          ),
          ...(settings.turnRelayIp === undefined || settings.turnRelayIp === ''
            ? {}
            : { relayAddress: settings.turnRelayIp }),
          logger: input.log,
          now: input.now,
        })
      : undefined;
  return {
    server,
    start: async () => server?.start(),
    stop: async () => server?.stop(),
    iceServers(clientId, requestHost) {
      const credentials = mintTurnCredentials({
        secret: secrets,
        id: clientId,
        ttlSeconds,
        nowMs: input.now(),
      });
      if (external !== undefined)
        return buildIceServers({ host: external.host, port: external.port, credentials });
      const address = server?.address();
      if (address === undefined) return undefined;
      return buildIceServers({ host: hostOnly(requestHost), port: address.port, credentials });
    },
    credentialPriceFactor() {
      const options = server?.options;
      return credentialPriceFactor({
        allocationsPerCredential:
          options?.maxAllocationsPerUsername ?? TURN_LIMIT_DEFAULTS.maxAllocationsPerUsername,
        credentialTtlSeconds: ttlSeconds,
        maxLifetimeSeconds: options?.maxLifetimeSeconds ?? TURN_LIMIT_DEFAULTS.maxLifetimeSeconds,
        allocations: server?.stats().allocations,
        maxAllocations: options?.maxAllocations,
      });
    },
  };
}
