import { randomBytes } from 'node:crypto';
import { bootstrapRetryDelay, formatDhtBootstrap, type DhtBootstrap } from './bootstrap-option.js';
import type { DhtClient } from './dht-client.js';
import type { DiscoveryLimits } from './discovery-limits.js';
import type { DiscoveryLogger } from './discovery-logger.js';

/** What the bootstrap state needs from the discovery that owns it. */
export interface BootstrapStateOptions {
  readonly bootstrap: DhtBootstrap;
  readonly limits: DiscoveryLimits;
  readonly now: () => number;
  readonly log: DiscoveryLogger;
  /** Nodes in the current routing table (0 without a DHT socket). */
  readonly tableSize: () => number;
  /** The routing table just filled: everything periodic is due at once. */
  readonly onJoined: () => void;
  /** The state changed in a way `status()` shows: the owner emits `'status'`. */
  readonly onStatus: () => void;
}

/**
 * Whether the node has joined the DHT (its routing table holds a node), and while it has not,
 * the bootstrap attempts with backoff and the last error, as `Discovery.status()` reports them.
 * Part of the DHT discovery (discovery.ts), kept in its own file.
 */
export class BootstrapState {
  readonly #options: BootstrapStateOptions;
  #bootstrapped = false;
  #attempts = 0;
  #nextBootstrapAt: number | null = null;
  #lastError: string | null = null;

  constructor(options: BootstrapStateOptions) {
    this.#options = options;
  }

  /** True while the routing table holds at least one node. `'ready'` alone proves nothing. */
  get bootstrapped(): boolean {
    return this.#bootstrapped;
  }

  /** Bootstrap attempts since the table was last empty. */
  get attempts(): number {
    return this.#attempts;
  }

  /** When the next bootstrap attempt is due (Unix ms); null while bootstrapped. */
  get nextBootstrapAt(): number | null {
    return this.#bootstrapped ? null : this.#nextBootstrapAt;
  }

  get lastError(): string | null {
    return this.#lastError;
  }

  /** A new DHT socket: attempts count from zero and the first one is due at once. */
  restart(): void {
    this.#attempts = 0;
    this.#nextBootstrapAt = null;
  }

  /**
   * Checks the routing table of `client` and, when it is empty and an attempt is due (or
   * `force`), tries to fill it from the bootstrap nodes. `current` turns false once `client` was
   * replaced (stop, restart): the outcome is then dropped.
   */
  async check(client: DhtClient, force: boolean, current: () => boolean): Promise<void> {
    if (client.tableSize() > 0) return this.set(true, true);
    this.set(false, true);
    const { bootstrap } = this.#options;
    const now = this.#options.now();
    if (!force && this.#nextBootstrapAt !== null && now < this.#nextBootstrapAt) return;
    this.#attempts++;
    if (bootstrap !== 'none') {
      if (typeof bootstrap !== 'string')
        for (const node of bootstrap) client.dht.addNode({ host: node.host, port: node.port });
      // With an empty table any lookup falls back to the bootstrap nodes, and every node that
      // answers lands in the routing table.
      await client.lookup(randomBytes(20), 1).catch(() => []);
    }
    if (!current()) return;
    if (client.tableSize() > 0) return this.set(true, true);
    this.#nextBootstrapAt = this.#options.now() + this.retryDelay();
    // With bootstrap 'none' an empty table is the configured state, not a fault: info, not warn.
    this.recordError(
      bootstrap === 'none'
        ? 'bootstrap is none: waiting for another node to contact this one'
        : `no DHT bootstrap node answered (attempt ${this.#attempts}); retrying with backoff`,
      bootstrap === 'none' ? 'info' : 'warn',
    );
  }

  /** How long to wait before the next attempt, growing with the attempts made. */
  retryDelay(): number {
    const { limits } = this.#options;
    return bootstrapRetryDelay(
      this.#attempts,
      limits.bootstrapRetryMinMs,
      limits.bootstrapRetryMaxMs,
    );
  }

  /** Records whether the table holds a node; `announce` logs the change and reports it. */
  set(value: boolean, announce: boolean): void {
    if (value === this.#bootstrapped) return;
    this.#bootstrapped = value;
    const { log } = this.#options;
    if (value) {
      this.#attempts = 0;
      this.#nextBootstrapAt = null;
      this.#lastError = null;
      // Everything is due at once after (re)joining the DHT.
      this.#options.onJoined();
      log.info({ routingTableSize: this.#options.tableSize() }, 'discovery: DHT bootstrapped');
    } else if (announce) {
      log.warn(
        { bootstrap: formatDhtBootstrap(this.#options.bootstrap) },
        'discovery: DHT routing table is empty; serving local rooms only and retrying',
      );
    }
    if (announce) this.#options.onStatus();
  }

  /** Keeps `message` as the last error; logs and reports it when it differs from the last. */
  recordError(message: string, level: 'info' | 'warn' = 'warn'): void {
    const changed = this.#lastError !== message;
    this.#lastError = message;
    if (changed) {
      this.#options.log[level]({ attempts: this.#attempts }, `discovery: ${message}`);
      this.#options.onStatus();
    }
  }
}
