import { sigmeshError, type SigmeshError } from '@sigmesh/protocol';
import type { NodeConfig } from '../../config/node-options.js';
import type { LoadSource } from '../../pow/load-sampler.js';
import { TokenBucket } from '../../turn/token-bucket.js';

type QuotaConfig = Pick<
  NodeConfig,
  | 'topicsMaxConnections'
  | 'topicsMaxConnectionsPerAddress'
  | 'topicsMaxTopicsPerAddress'
  | 'topicsEventsPerSecond'
  | 'topicsEventBurst'
  | 'powLoadKnee'
  | 'loadSampleMs'
>;

interface AddressState {
  connections: number;
  topics: number;
  readonly events: TokenBucket;
  /** When its last connection closed (0 while it has some). */
  idleSince: number;
}

/** The smoothed load from which new dialect connections are refused (503, Retry-After). */
export const TOPICS_REFUSE_LOAD = 0.95;
/** The address's share of events and burst, in connections' worth. */
const ADDRESS_SHARE = 10;
/** Under full load an event costs at most this many tokens (rate and burst ÷ 10). */
const MAX_LOAD_COST = 10;
/**
 * An address without connections keeps its event budget this long: reconnecting must not buy a
 * fresh burst (the address bucket refills in burst / rate = 20 s with the defaults).
 */
const ADDRESS_MEMORY_MS = 60_000;

/**
 * What the topic dialects' clients hold and send, per client address and in total. They cannot
 * pay proof-of-work, so these caps stand in for it: connections per address and in all, topic
 * subscriptions per address, and events per second per connection and per address — each event
 * costing more tokens as the node's load passes the PoW knee, so a loaded node admits less.
 */
export class AddressQuotas {
  readonly #config: QuotaConfig;
  readonly #load: LoadSource;
  readonly #now: () => number;
  readonly #addresses = new Map<string, AddressState>();
  #connections = 0;

  constructor(options: { config: QuotaConfig; load: LoadSource; now: () => number }) {
    this.#config = options.config;
    this.#load = options.load;
    this.#now = options.now;
  }

  /** Dialect connections open now (both dialects). */
  get connections(): number {
    return this.#connections;
  }

  /** The refusal a new connection from `clientKey` gets now, or undefined: it may connect. */
  admit(clientKey: string): SigmeshError | undefined {
    const retryAfter = Math.max(1, Math.ceil(this.#config.loadSampleMs / 1000));
    if (this.#connections >= this.#config.topicsMaxConnections)
      return sigmeshError(
        'TOPIC_CONNECTION_LIMIT',
        `this node holds ${this.#config.topicsMaxConnections} dialect connections`,
        { retryAfter },
      );
    if (this.#load.current().smoothed >= TOPICS_REFUSE_LOAD)
      return sigmeshError('TOPIC_CONNECTION_LIMIT', 'this node is overloaded', { retryAfter });
    const held = this.#addresses.get(clientKey)?.connections ?? 0;
    if (held >= this.#config.topicsMaxConnectionsPerAddress)
      return sigmeshError(
        'TOPIC_CONNECTIONS_PER_ADDRESS',
        `at most ${this.#config.topicsMaxConnectionsPerAddress} dialect connections per client address`,
        { retryAfter: 60 },
      );
    return undefined;
  }

  connected(clientKey: string): void {
    const state = this.#state(clientKey);
    state.connections++;
    state.idleSince = 0;
    this.#connections++;
  }

  disconnected(clientKey: string): void {
    const state = this.#addresses.get(clientKey);
    if (state === undefined) return;
    state.connections--;
    this.#connections--;
    if (state.connections <= 0) state.idleSince = this.#now();
  }

  /** Forgets addresses that have had no connection for a minute (called by the ping sweep). */
  prune(): void {
    const before = this.#now() - ADDRESS_MEMORY_MS;
    for (const [key, state] of this.#addresses)
      if (state.connections <= 0 && state.idleSince <= before) this.#addresses.delete(key);
  }

  /** Addresses tracked now (with connections, or without for less than a minute). */
  get addresses(): number {
    return this.#addresses.size;
  }

  /** Counts `count` more topics for the address, or refuses them all. */
  addTopics(clientKey: string, count: number): SigmeshError | undefined {
    const state = this.#state(clientKey);
    if (state.topics + count > this.#config.topicsMaxTopicsPerAddress)
      return sigmeshError(
        'TOPIC_LIMIT_REACHED',
        `at most ${this.#config.topicsMaxTopicsPerAddress} topics per client address`,
      );
    state.topics += count;
    return undefined;
  }

  removeTopics(clientKey: string, count: number): void {
    const state = this.#addresses.get(clientKey);
    if (state !== undefined) state.topics = Math.max(0, state.topics - count);
  }

  /** A bucket for one new connection's events. */
  connectionBucket(): TokenBucket {
    return new TokenBucket(
      this.#config.topicsEventsPerSecond,
      this.#config.topicsEventBurst,
      this.#now(),
    );
  }

  /** Takes one event from the connection's and the address's budgets, or says why not. */
  takeEvent(bucket: TokenBucket, clientKey: string): SigmeshError | undefined {
    const now = this.#now();
    const cost = this.#eventCost();
    if (!bucket.take(cost, now))
      return sigmeshError(
        'TOPIC_RATE_LIMITED',
        cost > 1
          ? `this node is loaded: at most ${round(this.#config.topicsEventsPerSecond / cost)} events per second per connection now`
          : `at most ${this.#config.topicsEventsPerSecond} events per second per connection`,
      );
    const address = this.#addresses.get(clientKey);
    if (address !== undefined && !address.events.take(cost, now))
      return sigmeshError(
        'TOPIC_RATE_LIMITED',
        `at most ${round((ADDRESS_SHARE * this.#config.topicsEventsPerSecond) / cost)} events per second per client address now`,
      );
    return undefined;
  }

  /** Tokens one event costs: 1 up to the PoW load knee, rising to 10 at full load. */
  #eventCost(): number {
    const load = this.#load.current().smoothed;
    const knee = this.#config.powLoadKnee;
    if (load <= knee || knee >= 1) return 1;
    const share = Math.max(1 / MAX_LOAD_COST, (1 - load) / (1 - knee));
    return 1 / share;
  }

  #state(clientKey: string): AddressState {
    let state = this.#addresses.get(clientKey);
    if (state === undefined) {
      state = {
        connections: 0,
        topics: 0,
        events: new TokenBucket(
          ADDRESS_SHARE * this.#config.topicsEventsPerSecond,
          ADDRESS_SHARE * this.#config.topicsEventBurst,
          this.#now(),
        ),
        idleSince: 0,
      };
      this.#addresses.set(clientKey, state);
    }
    return state;
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
