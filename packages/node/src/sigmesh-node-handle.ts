import type { NodeConfig } from './config/node-options.js';
import type { DiscoveryLimits } from './discovery/discovery-limits.js';
import type { DiscoveryStatus } from './discovery/discovery-handle.js';
import type { DialectFactory } from './dialects/dialect.js';
import type { CertificateReload } from './http/certificate-reloader.js';
import type { ConnectionStats } from './http/connection-guard.js';
import type { NodeIdentity } from './identity/node-identity.js';
import type { Logger } from './log/create-logger.js';
import type { MeshStats } from './mesh/mesh-stats.js';
import type { LoadSource } from './pow/load-sampler.js';
import type { HostLimits } from './resources/host-resources.js';
import type { ResourcePlan } from './resources/resource-plan.js';
import type { RoomStats } from './rooms/room-registry.js';
import type { NodeWorker } from './workers/node-worker.js';

// The node's public handle and its options: what `createNode()` takes and gives.

/** Options of {@link createNode}: any config field, plus injected dependencies for tests and embedders. */
export interface NodeOptions extends Partial<NodeConfig> {
  /** Use this identity instead of the one in the data dir. */
  readonly identity?: NodeIdentity;
  readonly logger?: Logger;
  /** Milliseconds since the epoch; defaults to Date.now. */
  readonly now?: () => number;
  /** Where the price reads load from; defaults to the event-loop/memory sampler. */
  readonly load?: LoadSource;
  /** Discovery intervals and timeouts (tests and testnets shorten them). */
  readonly discoveryLimits?: Partial<DiscoveryLimits>;
  /** The host's open-file limit and ephemeral ports, instead of reading them (tests). */
  readonly hostLimits?: HostLimits;
  /** The dialects this node speaks besides its own API (docs/dialects.md); default: `defaultDialects`. */
  readonly dialects?: readonly DialectFactory[];
  /** This node is one worker of `sigmesh start --workers N` (workers/worker-node.ts). */
  readonly worker?: NodeWorker;
}

/** A running (or stopped) node. `start()` and `stop()` are idempotent; stop while starting works. */
export interface SigmeshNode {
  readonly config: NodeConfig;
  start(): Promise<void>;
  /**
   * Stops the node. With `drainMs` > 0 the stop is graceful: joins are refused, every member
   * gets a `bye` event and the node waits up to `drainMs` for them to move before closing
   * (`sigmesh start` passes `--drain-ms` on SIGTERM). A later call with `drainMs: 0` cuts a
   * drain short. Every call resolves when the node has stopped.
   */
  stop(options?: StopOptions): Promise<void>;
  /** Re-reads `--tls-cert`/`--tls-key` and serves them if they parse and match (SIGHUP). */
  reloadTls(): CertificateReload | { readonly ok: false; readonly problem: 'no TLS' };
  /** The port of the built-in STUN/TURN server; undefined when off, external, or not started. */
  turnPort(): number | undefined;
  /** Resolves once the node listens. */
  readonly ready: Promise<void>;
  /** The bound address; throws before the node listens. */
  address(): { host: string; port: number };
  /** The URL clients use (the public URL, or one derived from the bound address). */
  url(): string;
  /** The node id (hex ed25519 public key); throws before start. */
  id(): string;
  stats(): Readonly<RoomStats>;
  meshStats(): Readonly<MeshStats>;
  /** DHT discovery state; throws before start. */
  dhtStatus(): DiscoveryStatus;
  /** Dials another node's mesh endpoint directly (besides what discovery finds); resolves with its id. */
  connect(url: string): Promise<string>;
  /** Closes the link to another node, if any (tests cutting links; operators). */
  disconnect(id: string): boolean;
  /** The remote members this node counts as present in a room (its mesh view). */
  remoteMembers(room: string): string[];
  /** The caps sized from the host's limits, and what is held and refused now. */
  resources(): NodeResourceStatus;
}

/** Options of {@link SigmeshNode.stop}. */
export interface StopOptions {
  /** Wait up to this long for members to move after `bye` (default 0: stop at once). */
  readonly drainMs?: number;
}

/** {@link SigmeshNode.resources}: the plan and the live counts behind it. */
export interface NodeResourceStatus {
  readonly plan: ResourcePlan;
  readonly connections: ConnectionStats;
  readonly turn: { readonly allocations: number; readonly tcpConnections: number };
}
