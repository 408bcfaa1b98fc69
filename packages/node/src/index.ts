// The public API of @sigmesh/node: createNode(options) is the library; the CLI maps flags onto it.
export { createNode, startNode, type NodeOptions, type SigmeshNode } from './sigmesh-node.js';
export { nodeDefaults, nodeOptionTable, type NodeConfig } from './config/node-options.js';
export { ConfigError, resolveNodeConfig } from './config/resolve-config.js';
export {
  createEphemeralIdentity,
  loadOrCreateIdentity,
  type NodeIdentity,
} from './identity/node-identity.js';
export type { LoadReading, LoadSource } from './pow/load-sampler.js';
export { nodeCryptoSearch } from './pow/node-crypto-search.js';
export { runCli } from './cli/run-cli.js';
