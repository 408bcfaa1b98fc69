import type { DialectFactory } from './dialect.js';
import { nostrDialect } from './nostr/nostr-dialect.js';
import { trackerDialect } from './tracker/tracker-dialect.js';
import { wsRelayDialect } from './ws-relay/ws-relay-dialect.js';

/**
 * The dialects a node speaks when `createNode` is given none (`sigmesh start` included): one
 * line per dialect (docs/dialects.md).
 */
export const defaultDialects: readonly DialectFactory[] = [
  trackerDialect, // WebTorrent WebSocket tracker at /announce and / (WebTorrent, Trystero torrent)
  nostrDialect, // Trystero's default strategy: /nostr
  wsRelayDialect, // Trystero's ws-relay strategy: /ws-relay
];
