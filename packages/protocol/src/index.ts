// The public API of @sigmesh/protocol: wire types, parsers, error codes, limits and PoW math.
export * from './encoding.js';
export * from './parse-result.js';
export type { ErrorSpec } from './error-spec.js';
export * from './error-catalog.js';
export * from './sigmesh-error.js';
export * from './limits.js';
export * from './room-hash.js';
export * from './pow-challenge.js';
export * from './pow-solution.js';
export * from './pow-token.js';
export * from './messages.js';
export * from './turn-token.js';
export * from './dht-messages.js';
export * from './mesh-frames.js';
export * from './sse-parser.js';
export * from './status-messages.js';
export * from './client-signals.js';
export * from './peer-frames.js';
