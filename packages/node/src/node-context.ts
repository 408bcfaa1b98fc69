import type { NodeConfig } from './config/node-options.js';
import type { ConnectionGuard } from './http/connection-guard.js';
import type { ResourcePlan } from './resources/resource-plan.js';
import type { Dialect } from './dialects/dialect.js';
import type { Discovery } from './discovery/discovery-handle.js';
import type { Mesh } from './mesh/mesh.js';
import type { NodeIdentity } from './identity/node-identity.js';
import type { Logger } from './log/create-logger.js';
import type { LoadSource } from './pow/load-sampler.js';
import type { PowGate } from './pow/pow-gate.js';
import type { PowPricing } from './pow/pow-pricing.js';
import type { RefusedWork } from './pow/refused-work.js';
import type { UnpaidLimiter } from './pow/unpaid-limiter.js';
import type { RoomRegistry } from './rooms/room-registry.js';
import type { TurnService } from './turn/turn-service.js';
import type { NodeWorker } from './workers/node-worker.js';

/** What route handlers get: the node's components, passed in, never module singletons. */
export interface NodeContext {
  readonly config: NodeConfig;
  readonly identity: NodeIdentity;
  readonly version: string;
  readonly log: Logger;
  readonly load: LoadSource;
  readonly pricing: PowPricing;
  readonly pow: PowGate;
  /** Per-address allowance of requests without proof-of-work. */
  readonly unpaid: UnpaidLimiter;
  /** Time spent refusing unpaid requests past their allowance (left out of the price's load). */
  readonly refusedWork: RefusedWork;
  readonly rooms: RoomRegistry;
  readonly mesh: Mesh;
  readonly discovery: Discovery;
  /** STUN/TURN: the built-in server or an external one; mints `/token` credentials. */
  readonly turn: TurnService;
  readonly now: () => number;
  /** The caps sized from the host's limits (open files, ephemeral ports). */
  readonly resources: ResourcePlan;
  /** Admission of HTTP connections (caps per address and in total); attached by createApp. */
  readonly connections: ConnectionGuard;
  /** When the node started (Unix ms, from `now`): uptime on `/`, `/status` and `/metrics`. */
  readonly startedAt: number;
  /** The URL clients reach this node under (known once it listens). */
  publicUrl(): string;
  /** The dialects this node speaks besides its own API (their HTTP routes, stats). */
  readonly dialects: readonly Dialect[];
  /** With `sigmesh start --workers N`: this process's worker (moves requests that belong elsewhere). */
  readonly worker?: NodeWorker;
}
