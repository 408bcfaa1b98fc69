import type { NodeConfig } from './node-options.js';
import type { OptionSpec } from './option-spec.js';
import { meshOptionTable } from './mesh-option-table.js';
import { resourceOptionTable } from './resource-option-table.js';
import { trackerOptionTable } from './tracker-option-table.js';
import { topicsOptionTable } from './topics-option-table.js';
import { turnOptionTable } from './turn-option-table.js';

/**
 * The one option table: flags, env vars, validation and --help all come from here.
 * `satisfies` makes the compiler check that every config key has exactly one entry.
 */
export const nodeOptionTable = {
  host: {
    flag: 'host',
    kind: 'string',
    group: 'server',
    description: 'Address to bind the HTTP server to.',
  },
  port: {
    flag: 'port',
    kind: 'integer',
    group: 'server',
    min: 0,
    max: 65535,
    description: 'HTTP(S) port (0 picks a free one).',
  },
  publicUrl: {
    flag: 'public-url',
    kind: 'string',
    group: 'server',
    description:
      'URL under which clients and other nodes reach this node (default: http(s)://HOST:PORT).',
  },
  dataDir: {
    flag: 'data-dir',
    kind: 'string',
    group: 'server',
    description: 'Directory for the node identity (default: ~/.sigmesh).',
  },
  trustProxy: {
    flag: 'trust-proxy',
    kind: 'boolean',
    group: 'server',
    description:
      'Take the client address from X-Forwarded-For (only behind a reverse proxy you run).',
  },
  logLevel: {
    flag: 'log-level',
    kind: 'string',
    group: 'server',
    choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    description: 'Log verbosity.',
  },
  logFormat: {
    flag: 'log-format',
    kind: 'string',
    group: 'server',
    choices: ['auto', 'json', 'pretty'],
    description: 'Log lines as JSON or human-readable; auto: readable when stdout is a terminal.',
  },
  tlsCert: {
    flag: 'tls-cert',
    kind: 'string',
    group: 'server',
    description: 'PEM certificate file: serve HTTPS directly (needs --tls-key).',
  },
  tlsKey: {
    flag: 'tls-key',
    kind: 'string',
    group: 'server',
    description: 'PEM private key file for --tls-cert.',
  },
  tlsReloadMs: {
    flag: 'tls-reload-ms',
    kind: 'integer',
    group: 'server',
    min: 0,
    max: 86_400_000,
    description:
      'How often to check --tls-cert/--tls-key for a renewed pair and load it without a restart (0: only on SIGHUP).',
  },
  drainMs: {
    flag: 'drain-ms',
    kind: 'integer',
    group: 'server',
    min: 0,
    max: 600_000,
    description:
      'On SIGTERM/SIGINT: how long to wait for members to move to other nodes (after a bye event) before closing.',
  },
  workers: {
    flag: 'workers',
    kind: 'integer',
    group: 'server',
    min: 1,
    max: 256,
    description:
      'Node processes behind the one port (one per core): each a full node, meshed with the others over loopback (plain HTTP only; docs/operations.md § Several cores).',
  },
  workerRestartsPerMinute: {
    flag: 'worker-restarts-per-minute',
    kind: 'integer',
    group: 'server',
    min: 0,
    max: 1000,
    description:
      'With --workers: crashed workers replaced per minute before the whole process gives up and exits 1.',
  },
  maxMessageBytes: {
    flag: 'max-message-bytes',
    kind: 'integer',
    group: 'limits',
    min: 64,
    max: 1 << 20,
    description: 'Largest POST /room/HASH body in bytes.',
  },
  maxRooms: {
    flag: 'max-rooms',
    kind: 'integer',
    group: 'limits',
    min: 1,
    max: 10_000_000,
    description: 'Rooms with local members this node holds at once.',
  },
  maxMembersPerRoom: {
    flag: 'max-members-per-room',
    kind: 'integer',
    group: 'limits',
    min: 1,
    max: 1_000_000,
    description: 'Local members one room may have on this node.',
  },
  maxStreamsPerAddress: {
    flag: 'max-streams-per-address',
    kind: 'integer',
    group: 'limits',
    min: 1,
    max: 1_000_000,
    description: 'Open room streams per client address (IPv6: per /64).',
  },
  memberQueueBytes: {
    flag: 'member-queue-bytes',
    kind: 'integer',
    group: 'limits',
    min: 1024,
    max: 64 << 20,
    description:
      'Unsent bytes a member stream may queue before the node cuts it as a slow consumer.',
  },
  heartbeatMs: {
    flag: 'heartbeat-ms',
    kind: 'integer',
    group: 'limits',
    min: 100,
    max: 600_000,
    description: 'Interval of heartbeat events on room streams.',
  },
  presenceBacklog: {
    flag: 'presence-backlog',
    kind: 'integer',
    group: 'limits',
    min: 16,
    max: 1_000_000,
    description:
      'Presence changes a room keeps for members not reading yet; one further behind gets the full member list.',
  },
  presenceBatchMembers: {
    flag: 'presence-batch-members',
    kind: 'integer',
    group: 'limits',
    min: 0,
    max: 1_000_000,
    description:
      'Rooms with more local members than this get presence changes at most every --presence-interval-ms (0: every room).',
  },
  presenceIntervalMs: {
    flag: 'presence-interval-ms',
    kind: 'integer',
    group: 'limits',
    min: 0,
    max: 10_000,
    description:
      'How often members of a large room are told who joined and left (0: at once, as in small rooms).',
  },
  inboxProofWindowMs: {
    flag: 'inbox-proof-window-ms',
    kind: 'integer',
    group: 'limits',
    min: 1_000,
    max: 600_000,
    description:
      "How far an inbox owner's signing time may be from this node's clock, either way, before its proof is refused.",
  },
  powBaseDifficulty: {
    flag: 'pow-base-difficulty',
    kind: 'integer',
    group: 'pow',
    min: 1,
    max: 0xffff_ffff,
    description: 'Price (expected hashes) of one request on an idle node for a quiet client.',
  },
  powMaxDifficulty: {
    flag: 'pow-max-difficulty',
    kind: 'integer',
    group: 'pow',
    min: 1,
    max: 0xffff_ffff,
    description:
      'Price cap; above it the node answers 503 (load) or 429 (client rate) with Retry-After.',
  },
  powTtlSeconds: {
    flag: 'pow-ttl-seconds',
    kind: 'integer',
    group: 'pow',
    min: 5,
    max: 3600,
    description: 'Seconds a challenge stays valid.',
  },
  powFreeMessages: {
    flag: 'pow-free-messages',
    kind: 'integer',
    group: 'pow',
    min: 0,
    max: 1_000_000,
    description:
      'Paid requests per minute one client (its room session) makes at the base price before its price rises.',
  },
  powMessagesPerDoubling: {
    flag: 'pow-messages-per-doubling',
    kind: 'integer',
    group: 'pow',
    min: 1,
    max: 1_000_000,
    description:
      'Each this many further requests by one client (its room session) in the last minute double its price.',
  },
  powLoadKnee: {
    flag: 'pow-load-knee',
    kind: 'number',
    group: 'pow',
    min: 0,
    max: 0.99,
    description: 'Smoothed load (0–1, max of CPU and memory) above which the price starts to rise.',
  },
  powLoadDoublings: {
    flag: 'pow-load-doublings',
    kind: 'number',
    group: 'pow',
    min: 0,
    max: 32,
    description: 'Doublings of the price between the knee and full load.',
  },
  powReplayMax: {
    flag: 'pow-replay-max',
    kind: 'integer',
    group: 'limits',
    min: 1000,
    max: 100_000_000,
    description: 'Spent challenges remembered per generation; when full the node answers 503.',
  },
  maxTrackedClients: {
    flag: 'max-tracked-clients',
    kind: 'integer',
    group: 'limits',
    min: 100,
    max: 100_000_000,
    description:
      'Client addresses whose message rate is tracked (least recently seen forgotten first).',
  },
  loadSampleMs: {
    flag: 'load-sample-ms',
    kind: 'integer',
    group: 'pow',
    min: 10,
    max: 60_000,
    description: 'Interval of the load sampler.',
  },
  dhtBootstrap: {
    flag: 'dht-bootstrap',
    kind: 'string',
    group: 'mesh',
    description:
      'Where the DHT starts: "mainline" (the public BitTorrent routers), "none", or HOST:PORT,… of a local DHT.',
  },
  dhtPort: {
    flag: 'dht-port',
    kind: 'integer',
    group: 'mesh',
    min: 0,
    max: 65535,
    description: 'UDP port of the DHT (0 picks a free one).',
  },
  ...turnOptionTable,
  metrics: {
    flag: 'metrics',
    kind: 'boolean',
    group: 'server',
    description: 'Serve Prometheus metrics at GET /metrics (--no-metrics turns it off).',
  },
  ...meshOptionTable,
  ...resourceOptionTable,
  ...topicsOptionTable,
  // Prices and fairness (issue 11).
  powAddressFreeMessages: {
    flag: 'pow-address-free-messages',
    kind: 'integer',
    group: 'pow',
    min: 0,
    max: 10_000_000,
    description:
      'Paid requests per minute from one client address (all its clients together) before the price of everyone behind it rises.',
  },
  powAddressMessagesPerDoubling: {
    flag: 'pow-address-messages-per-doubling',
    kind: 'integer',
    group: 'pow',
    min: 1,
    max: 10_000_000,
    description:
      'Each this many further requests from one address in the last minute double the price behind it.',
  },
  powPriceTolerance: {
    flag: 'pow-price-tolerance',
    kind: 'number',
    group: 'pow',
    min: 0,
    max: 0.9,
    description:
      "A challenge whose difficulty is at most this fraction below the client's current price is still accepted (the price moves between quote and payment).",
  },
  unpaidRequestsPerSecond: {
    flag: 'unpaid-requests-per-second',
    kind: 'number',
    group: 'limits',
    min: 0.1,
    max: 1_000_000,
    description:
      'Requests without proof-of-work (GET /, /nodes, /status, app files, failed proofs…) per second per address; the excess gets 429.',
  },
  unpaidBurst: {
    flag: 'unpaid-burst',
    kind: 'integer',
    group: 'limits',
    min: 1,
    max: 10_000_000,
    description:
      'Requests without proof-of-work one address may make at once before the rate applies.',
  },
  ...trackerOptionTable,
} as const satisfies Record<keyof NodeConfig, OptionSpec>;
