import type { DialectFactory } from './dialect.js';
import { trackerDialect } from './tracker/tracker-dialect.js';

/**
 * The dialects a node speaks when `createNode` is given none (`sigmesh start` included): one
 * line per dialect (docs/dialects.md).
 */
export const defaultDialects: readonly DialectFactory[] = [
  trackerDialect, // WebTorrent WebSocket tracker at /announce and / (WebTorrent, Trystero torrent)
];
