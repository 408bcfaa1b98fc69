import { sigmeshError, type NostrRelayMessage, type SigmeshError } from '@sigmesh/protocol';
import type { NodeConfig } from '../../config/node-options.js';
import type { Logger } from '../../log/create-logger.js';
import { SeenIds } from '../../mesh/seen-ids.js';
import type { TokenBucket } from '../../turn/token-bucket.js';
import type { AddressQuotas } from '../topics/address-quotas.js';
import type { BusDelivery } from '../topics/bus-delivery.js';
import type { DialectCounters } from '../topics/dialect-counters.js';
import type { TopicBus, TopicSubscriber } from '../topics/topic-bus.js';
import type { TopicSocket } from '../topics/topic-socket-server.js';
import type { EventVerifier } from './event-verifier.js';
import { filterTopics, matchesFilter, type CompiledFilter } from './filter-match.js';

/** What every Nostr connection of a node shares. */
export interface NostrDeps {
  readonly config: NodeConfig;
  readonly log: Logger;
  readonly now: () => number;
  readonly bus: TopicBus;
  readonly quotas: AddressQuotas;
  readonly verifier: EventVerifier;
  readonly counters: DialectCounters;
}

interface Subscription {
  readonly filters: readonly CompiledFilter[];
  readonly topics: ReadonlySet<string>;
  readonly wildcard: boolean;
}

/** Event ids a connection remembers having been sent (the same event by two routes is one). */
const RECENT_EVENTS = 1024;

/**
 * One Nostr client connection: its subscriptions (REQ ids → filters, with replacement), the
 * topics they name on the bus, its event budget, and delivery of live events to it.
 */
export class NostrSession implements TopicSubscriber {
  readonly deps: NostrDeps;
  readonly socket: TopicSocket;
  readonly bucket: TokenBucket;
  readonly #subscriptions = new Map<string, Subscription>();
  /** How many subscriptions name each topic. */
  readonly #topicRefs = new Map<string, number>();
  #wildcards = 0;
  readonly #recent = new SeenIds(RECENT_EVENTS);
  /** Topics this connection was told are served locally only (told once each). */
  readonly #notFederatedTold = new Set<string>();

  constructor(deps: NostrDeps, socket: TopicSocket) {
    this.deps = deps;
    this.socket = socket;
    this.bucket = deps.quotas.connectionBucket();
  }

  get clientKey(): string {
    return this.socket.clientKey;
  }

  get subscriptionCount(): number {
    return this.#subscriptions.size;
  }

  hasSubscription(subId: string): boolean {
    return this.#subscriptions.has(subId);
  }

  send(message: NostrRelayMessage): void {
    this.socket.send(JSON.stringify(message));
  }

  /** A live event for this connection's topics: sent once per matching subscription. */
  deliver(delivery: BusDelivery): void {
    const event = delivery.event;
    // ws-relay payloads carry no signature: Nostr subscribers get only signed events.
    if (event === undefined || !this.#recent.add(event.id)) return;
    const slack = this.deps.config.nostrClockWindowSeconds;
    for (const [subId, subscription] of this.#subscriptions) {
      if (!subscription.filters.some((filter) => matchesFilter(filter, event, slack))) continue;
      this.socket.send(`["EVENT",${JSON.stringify(subId)},${delivery.eventJson!}]`);
      this.deps.counters.add('events_sent');
    }
  }

  /**
   * Opens `subId`, replacing a subscription of that id (NIP-01). On a refusal over the topic caps
   * the old subscription is closed too: the client is told `CLOSED` for that id.
   */
  setSubscription(subId: string, filters: readonly CompiledFilter[]): SigmeshError | undefined {
    const topics = new Set<string>();
    let wildcard = false;
    for (const filter of filters) {
      const named = filterTopics(filter);
      if (named === undefined) wildcard = true;
      else for (const topic of named) topics.add(topic);
    }
    const old = this.#subscriptions.get(subId);
    let after = this.#topicRefs.size;
    for (const topic of topics) if (!this.#topicRefs.has(topic)) after++;
    for (const topic of old?.topics ?? [])
      if (this.#topicRefs.get(topic) === 1 && !topics.has(topic)) after--;
    const max = this.deps.config.topicsMaxTopicsPerConnection;
    const refusal =
      after > max
        ? sigmeshError('TOPIC_LIMIT_REACHED', `at most ${max} topics per connection`)
        : this.deps.quotas.addTopics(this.clientKey, Math.max(0, after - this.#topicRefs.size));
    if (refusal !== undefined) {
      this.closeSubscription(subId);
      return refusal;
    }
    const added = after - this.#topicRefs.size;
    for (const topic of topics) this.#ref(topic, 1);
    if (wildcard) this.#wildcardRef(1);
    if (old !== undefined) this.#release(old);
    // The address was charged for the growth above; a shrink is given back here.
    if (added < 0) this.deps.quotas.removeTopics(this.clientKey, -added);
    this.#subscriptions.set(subId, { filters, topics, wildcard });
    return undefined;
  }

  /** Closes `subId` (idempotent). */
  closeSubscription(subId: string): void {
    const old = this.#subscriptions.get(subId);
    if (old === undefined) return;
    this.#subscriptions.delete(subId);
    const before = this.#topicRefs.size;
    this.#release(old);
    this.deps.quotas.removeTopics(this.clientKey, before - this.#topicRefs.size);
  }

  /** Tells the client once per topic that it is not federated (the node refused the room). */
  notFederated(topic: string, reason: SigmeshError): void {
    if (this.#notFederatedTold.has(topic) || this.#notFederatedTold.size >= 64) return;
    this.#notFederatedTold.add(topic);
    this.send([
      'NOTICE',
      `restricted: topic ${topic} is served on this node only (${reason.code}: ${reason.message})`,
    ]);
  }

  /** The connection closed: every subscription goes, and the address gets its topics back. */
  closed(): void {
    this.deps.quotas.removeTopics(this.clientKey, this.#topicRefs.size);
    this.#subscriptions.clear();
    this.#topicRefs.clear();
    this.#wildcards = 0;
    this.deps.bus.drop(this);
  }

  #release(subscription: Subscription): void {
    for (const topic of subscription.topics) this.#ref(topic, -1);
    if (subscription.wildcard) this.#wildcardRef(-1);
  }

  #ref(topic: string, delta: 1 | -1): void {
    const count = (this.#topicRefs.get(topic) ?? 0) + delta;
    if (count > 0) {
      this.#topicRefs.set(topic, count);
      if (count === 1 && delta === 1) this.deps.bus.subscribe(this, topic);
      return;
    }
    this.#topicRefs.delete(topic);
    this.deps.bus.unsubscribe(this, topic);
  }

  #wildcardRef(delta: 1 | -1): void {
    this.#wildcards += delta;
    this.deps.bus.setWildcard(this, this.#wildcards > 0);
  }
}
