/**
 * Options of the STUN/TURN server. Every limit is a named option with a safe default
 * (docs/limits.md lists them). `resolveTurnOptions` validates everything at once and throws
 * one error naming every problem.
 */

/** The pino-compatible logger interface the server logs through. */
export interface TurnLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Options of {@link createTurnServer}. Only `secrets` is required. */
export interface TurnServerOptions {
  /** Address to listen on for UDP and TCP (default `0.0.0.0`: every IPv4 interface). */
  readonly host?: string;
  /** Port for both UDP and TCP (default 3478; 0 picks a free one, read back with `address()`). */
  readonly port?: number;
  /** REALM of the long-term credential mechanism (default `sigmesh`). */
  readonly realm?: string;
  /** TURN REST secrets: credentials made with any of them are accepted. */
  readonly secrets: readonly string[];
  /** Address relay sockets bind to (default: `host`, or `0.0.0.0` when `host` is a wildcard). */
  readonly relayHost?: string;
  /** Public IP put in XOR-RELAYED-ADDRESS (default: the relay socket's own address). */
  readonly relayAddress?: string;
  /** CIDRs peers may be in even though they are special-purpose (e.g. `127.0.0.0/8` in tests). */
  readonly allowedPeerCidrs?: readonly string[];
  /** More allowed peers (relay addresses of other mesh nodes); replaceable at run time. */
  readonly extraAllowedPeers?: readonly string[];
  /** CIDRs denied on top of the built-in special-purpose list. */
  readonly deniedPeerCidrs?: readonly string[];
  /** When the server is full, answer Allocate with 300 Try Alternate to this `host:port`. */
  readonly alternateServer?: string;
  /** Allocation lifetime when the client asks for none or less (s, default 600). */
  readonly defaultLifetimeSeconds?: number;
  /** Longest allocation lifetime granted (s, default 3600). */
  readonly maxLifetimeSeconds?: number;
  /** Permission lifetime (s, default 300, RFC 8656 §9). */
  readonly permissionLifetimeSeconds?: number;
  /** Channel binding lifetime (s, default 600, RFC 8656 §12). */
  readonly channelLifetimeSeconds?: number;
  /** How long a NONCE stays valid (s, default 3600). */
  readonly nonceLifetimeSeconds?: number;
  /** Allocations on this server (default 1000). */
  readonly maxAllocations?: number;
  /**
   * Allocations per credential username (default 64). A browser allocates per peer connection and
   * TURN URL (UDP and TCP): a page in a room of n peers holds 2n, more during ICE restarts.
   */
  readonly maxAllocationsPerUsername?: number;
  /** Permissions per allocation (default 64). */
  readonly maxPermissionsPerAllocation?: number;
  /** Channel bindings per allocation (default 64). */
  readonly maxChannelsPerAllocation?: number;
  /** Relayed bytes per second per allocation, both directions (default 1 250 000 = 10 Mbit/s). */
  readonly maxBytesPerSecondPerAllocation?: number;
  /** Burst of the bandwidth cap, in bytes (default 2 × the rate). */
  readonly bandwidthBurstBytes?: number;
  /** STUN requests per second per source IP (default 50; 0 disables). */
  readonly maxRequestsPerSecondPerSource?: number;
  /** Source IPs tracked by the rate limiter (default 10 000). */
  readonly maxTrackedSources?: number;
  /** TCP client connections (default 1000). */
  readonly maxTcpConnections?: number;
  /** TCP connections idle this long are closed (s, default 900). */
  readonly tcpIdleTimeoutSeconds?: number;
  /** Allocations (live and opening) per client address, IPv6 per /64 (default 128). */
  readonly maxAllocationsPerAddress?: number;
  /** TCP client connections per client address, IPv6 per /64 (default 16). */
  readonly maxTcpConnectionsPerAddress?: number;
  /** A TCP connection without an allocation, idle this long, is closed (s, default 10). */
  readonly tcpAuthTimeoutSeconds?: number;
  /** Fill (allocations as a percentage of `maxAllocations`) from which lifetimes are short (default 50). */
  readonly crowdedPercent?: number;
  /** Longest lifetime granted by Allocate or Refresh while the server is crowded (s, default 120). */
  readonly crowdedLifetimeSeconds?: number;
  /** SOFTWARE attribute in responses (default `sigmesh`; empty string leaves it out). */
  readonly software?: string;
  /** Clock in milliseconds since the epoch (default `Date.now`). */
  readonly now?: () => number;
  /** Logger with pino's interface (default: silent). */
  readonly logger?: TurnLogger;
}

/** Options with every default filled in. */
export type ResolvedTurnOptions = Required<
  Omit<TurnServerOptions, 'relayAddress' | 'alternateServer' | 'relayHost'>
> & {
  readonly relayHost: string;
  readonly relayAddress: string | undefined;
  readonly alternateServer: string | undefined;
};

const silent: TurnLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Defaults of every numeric limit. */
export const TURN_LIMIT_DEFAULTS = {
  defaultLifetimeSeconds: 600,
  maxLifetimeSeconds: 3600,
  permissionLifetimeSeconds: 300,
  channelLifetimeSeconds: 600,
  nonceLifetimeSeconds: 3600,
  maxAllocations: 1000,
  maxAllocationsPerUsername: 64,
  maxPermissionsPerAllocation: 64,
  maxChannelsPerAllocation: 64,
  maxBytesPerSecondPerAllocation: 1_250_000,
  maxRequestsPerSecondPerSource: 500,
  maxTrackedSources: 10_000,
  maxTcpConnections: 1000,
  tcpIdleTimeoutSeconds: 900,
  maxAllocationsPerAddress: 128,
  maxTcpConnectionsPerAddress: 16,
  tcpAuthTimeoutSeconds: 10,
  crowdedPercent: 50,
  crowdedLifetimeSeconds: 120,
} as const;

/** True for `0.0.0.0` and `::`, the "every interface" addresses. */
export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

/** Fills defaults and validates; throws one RangeError listing every problem. */
export function resolveTurnOptions(options: TurnServerOptions): ResolvedTurnOptions {
  const problems: string[] = [];
  const host = options.host ?? '0.0.0.0';
  const numbers = { ...TURN_LIMIT_DEFAULTS };
  for (const name of Object.keys(numbers) as (keyof typeof numbers)[]) {
    const value = options[name];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 0)
      problems.push(`${name} must be a non-negative integer`);
    else (numbers as Record<string, number>)[name] = value;
  }
  const port = options.port ?? 3478;
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push('port must be 0–65535');
  if (options.secrets.length === 0 || options.secrets.some((s) => s === ''))
    problems.push('secrets must hold at least one non-empty secret');
  if (numbers.maxLifetimeSeconds < numbers.defaultLifetimeSeconds)
    problems.push('maxLifetimeSeconds must be ≥ defaultLifetimeSeconds');
  if (numbers.crowdedPercent > 100) problems.push('crowdedPercent must be 0–100');
  if (numbers.crowdedLifetimeSeconds < 1 || numbers.tcpAuthTimeoutSeconds < 1)
    problems.push('crowdedLifetimeSeconds and tcpAuthTimeoutSeconds must be at least 1');
  if (
    options.alternateServer !== undefined &&
    !/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/.test(options.alternateServer)
  ) {
    problems.push('alternateServer must be host:port');
  }
  if (problems.length > 0) throw new RangeError(`invalid TURN options: ${problems.join('; ')}`);
  return {
    ...numbers,
    host,
    port,
    realm: options.realm ?? 'sigmesh',
    secrets: options.secrets,
    relayHost: options.relayHost ?? (isWildcard(host) ? '0.0.0.0' : host),
    relayAddress: options.relayAddress,
    allowedPeerCidrs: options.allowedPeerCidrs ?? [],
    extraAllowedPeers: options.extraAllowedPeers ?? [],
    deniedPeerCidrs: options.deniedPeerCidrs ?? [],
    alternateServer: options.alternateServer,
    bandwidthBurstBytes: options.bandwidthBurstBytes ?? numbers.maxBytesPerSecondPerAllocation * 2,
    software: options.software ?? 'sigmesh',
    now: options.now ?? Date.now,
    logger: options.logger ?? silent,
  };
}
