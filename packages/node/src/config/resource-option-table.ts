import type { NodeConfig } from './node-options.js';
import type { OptionSpec } from './option-spec.js';

/**
 * The options of the `resources` group (issue 11): every scarce thing a client can hold —
 * connections, file descriptors, TURN allocations and TCP connections, their lifetimes — with
 * the caps marked "0: derived" sized from the host's open-file limit (resources/resource-plan.ts).
 * Part of the one option table (node-option-table.ts), kept in its own file.
 */
export const resourceOptionTable = {
  maxConnections: {
    flag: 'max-connections',
    kind: 'integer',
    group: 'resources',
    min: 0,
    max: 10_000_000,
    description:
      'HTTP(S) connections at once, streams and mesh links included; further ones get 503 CONNECTION_LIMIT (0: derived from the open-file limit, at most 10000; see docs/limits.md).',
  },
  maxConnectionsPerAddress: {
    flag: 'max-connections-per-address',
    kind: 'integer',
    group: 'resources',
    min: 0,
    max: 10_000_000,
    description:
      'HTTP(S) connections per client address, IPv6 per /64; further ones get 429 TOO_MANY_CONNECTIONS (0: no cap; not applied with --trust-proxy).',
  },
  headersTimeoutMs: {
    flag: 'headers-timeout-ms',
    kind: 'integer',
    group: 'resources',
    min: 1000,
    max: 600_000,
    description:
      'Time a connection has to send a complete request head; slower ones get 408 REQUEST_TIMEOUT and are closed.',
  },
  requestTimeoutMs: {
    flag: 'request-timeout-ms',
    kind: 'integer',
    group: 'resources',
    min: 1000,
    max: 3_600_000,
    description:
      'Time a request has to arrive whole, body included (not the response: room streams stay open); then 408 REQUEST_TIMEOUT. At least --headers-timeout-ms.',
  },
  fdReserve: {
    flag: 'fd-reserve',
    kind: 'integer',
    group: 'resources',
    min: 0,
    max: 1_000_000,
    description:
      'File descriptors kept for the node itself (DHT, listeners, outgoing mesh links, files) when deriving caps (0: an eighth of the open-file limit, 32–256, plus --mesh-max-links).',
  },
  turnMaxAllocations: {
    flag: 'turn-max-allocations',
    kind: 'integer',
    group: 'resources',
    min: 0,
    max: 1_000_000,
    description:
      'TURN allocations (one relay socket and port each) on the built-in server; further ones get 508 (0: derived from the open-file limit, at most 1000 and half the ephemeral ports).',
  },
  turnMaxAllocationsPerAddress: {
    flag: 'turn-max-allocations-per-address',
    kind: 'integer',
    group: 'resources',
    min: 1,
    max: 1_000_000,
    description: 'TURN allocations per client address, IPv6 per /64; further ones get 486.',
  },
  turnMaxTcpConnections: {
    flag: 'turn-max-tcp-connections',
    kind: 'integer',
    group: 'resources',
    min: 0,
    max: 1_000_000,
    description:
      'TURN client connections over TCP; further ones are closed at accept (0: derived from the open-file limit, at most 1000).',
  },
  turnMaxTcpConnectionsPerAddress: {
    flag: 'turn-max-tcp-connections-per-address',
    kind: 'integer',
    group: 'resources',
    min: 1,
    max: 1_000_000,
    description:
      'TURN TCP connections per client address, IPv6 per /64; further ones are closed at accept.',
  },
  turnTcpAuthTimeoutSeconds: {
    flag: 'turn-tcp-auth-timeout-seconds',
    kind: 'integer',
    group: 'resources',
    min: 1,
    max: 3600,
    description: 'A TURN TCP connection without an allocation, silent this long, is closed.',
  },
  turnCrowdedPercent: {
    flag: 'turn-crowded-percent',
    kind: 'integer',
    group: 'resources',
    min: 0,
    max: 100,
    description:
      'TURN fill (allocations in % of --turn-max-allocations) from which Allocate and Refresh grant short lifetimes.',
  },
  turnCrowdedLifetimeSeconds: {
    flag: 'turn-crowded-lifetime-seconds',
    kind: 'integer',
    group: 'resources',
    min: 30,
    max: 3600,
    description:
      'Longest allocation lifetime granted while TURN is crowded: abandoned allocations free their slots this fast.',
  },
  memoryTrimSeconds: {
    flag: 'memory-trim-seconds',
    kind: 'integer',
    group: 'resources',
    min: 0,
    max: 86_400,
    description:
      'Every this many seconds, give the memory the process has freed back to the system (glibc malloc_trim, through the optional koffi package; a few ms each time). 0: never.',
  },
} as const satisfies Partial<Record<keyof NodeConfig, OptionSpec>>;
