import type { DialectFactory } from './dialect.js';
import { nostrDialect } from './nostr/nostr-dialect.js';
import { wsRelayDialect } from './ws-relay/ws-relay-dialect.js';

/** The dialects a node speaks when `createNode` is given none (docs/dialects.md), one per line. */
export const defaultDialects: readonly DialectFactory[] = [
  nostrDialect, // Trystero's default strategy: /nostr
  wsRelayDialect, // Trystero's ws-relay strategy: /ws-relay
];
