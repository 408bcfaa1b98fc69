// The public API of @sigmesh/node: createNode(options) is the library; the CLI maps flags onto it.
export {
  createNode,
  startNode,
  type NodeOptions,
  type SigmeshNode,
  type StopOptions,
} from './sigmesh-node.js';
export { nodeDefaults, type NodeConfig } from './config/node-options.js';
export { nodeOptionTable } from './config/node-option-table.js';
export { ConfigError, resolveNodeConfig } from './config/resolve-config.js';
export {
  createEphemeralIdentity,
  loadOrCreateIdentity,
  type NodeIdentity,
} from './identity/node-identity.js';
export type { LoadReading, LoadSource } from './pow/load-sampler.js';
export { nodeCryptoSearch } from './pow/node-crypto-search.js';
export { runCli } from './cli/run-cli.js';
export { createTurnServer, type TurnServer, type TurnServerAddress } from './turn/turn-server.js';
export {
  TURN_LIMIT_DEFAULTS,
  type TurnServerOptions,
  type TurnLogger,
} from './turn/turn-options.js';
export {
  mintTurnCredentials,
  type TurnCredentials,
  type MintTurnCredentialsInput,
} from './turn/rest-credentials.js';
export { buildIceServers, type IceServer, type IceServerList } from './turn/ice-servers.js';
export {
  createTestnet,
  testnetDiscoveryLimits,
  type Testnet,
  type TestnetOptions,
} from './testnet/create-testnet.js';
export { createLocalDht, type LocalDht } from './discovery/local-dht.js';
export type { MeshStats } from './mesh/mesh-stats.js';
export type { DiscoveryStatus } from './discovery/discovery-handle.js';
export { defaultDiscoveryLimits, type DiscoveryLimits } from './discovery/discovery-limits.js';
export type { Dialect, DialectContext, DialectFactory, DialectStats } from './dialects/dialect.js';
export { defaultDialects } from './dialects/default-dialects.js';
export { nostrDialect, NOSTR_PATH } from './dialects/nostr/nostr-dialect.js';
export { wsRelayDialect, WS_RELAY_PATH } from './dialects/ws-relay/ws-relay-dialect.js';
