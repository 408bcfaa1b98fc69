import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { NodeConfig } from '../config/node-options.js';
import type { NodeIdentity } from '../identity/node-identity.js';
import type { Logger } from '../log/create-logger.js';
import type { LoadSource } from '../pow/load-sampler.js';
import type { RoomRegistry } from '../rooms/room-registry.js';
import type { TurnService } from '../turn/turn-service.js';

/**
 * What a dialect gets from the node. A dialect's peers join rooms of the registry as members
 * served inside the node (`EventSink`), so their presence and messages cross the mesh under the
 * same ownership, budget and privacy rules as native members; each dialect keys its rooms with
 * `deriveRoomHash('dialect:<bus>', key)` so they never mix with native rooms by accident.
 */
export interface DialectContext {
  readonly config: NodeConfig;
  readonly log: Logger;
  readonly now: () => number;
  readonly rooms: RoomRegistry;
  readonly identity: NodeIdentity;
  /** The node's load: what a dialect admits shrinks as it rises (its clients cannot pay PoW). */
  readonly load: LoadSource;
  readonly turn: TurnService;
  readonly version: string;
  publicUrl(): string;
}

/** Counters of one dialect for `/metrics` and `/status`. */
export interface DialectStats {
  /** Open client connections. */
  readonly connections: number;
  /** Totals since start, by what was counted (`announces`, `refused_rate`, …). */
  readonly counters: Readonly<Record<string, number>>;
}

/**
 * One wire protocol an unchanged third-party client speaks (docs/dialects.md): served on its own
 * WebSocket paths, optionally with HTTP routes (NIP-11), registered with `createNode` through
 * `options.dialects`, so the node does not grow with each dialect.
 */
export interface Dialect {
  readonly name: string;
  /** What an operator reads on the status page, e.g. "WebTorrent tracker". */
  readonly title: string;
  /** Exact URL paths whose WebSocket upgrades this dialect takes. */
  readonly paths: readonly string[];
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** HTTP routes of the dialect (registered with the node's others, under its error handling). */
  registerRoutes?(app: FastifyInstance): void;
  /** Closes every connection (the node is stopping). Idempotent. */
  stop(): void;
  stats(): DialectStats;
}

/** Makes a dialect for one node. */
export type DialectFactory = (ctx: DialectContext) => Dialect;
