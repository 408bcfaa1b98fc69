import {
  sigmeshError,
  type JsonValue,
  type SigmeshError,
  type WsRelayErrorMessage,
  type WsRelayServerMessage,
} from '@sigmesh/protocol';
import type { NodeConfig } from '../../config/node-options.js';
import type { Logger } from '../../log/create-logger.js';
import type { TokenBucket } from '../../turn/token-bucket.js';
import type { AddressQuotas } from '../topics/address-quotas.js';
import type { BusDelivery } from '../topics/bus-delivery.js';
import type { DialectCounters } from '../topics/dialect-counters.js';
import type { TopicBus, TopicSubscriber } from '../topics/topic-bus.js';
import type { TopicSocket } from '../topics/topic-socket-server.js';

/** What every ws-relay connection of a node shares. */
export interface WsRelayDeps {
  readonly config: NodeConfig;
  readonly log: Logger;
  readonly bus: TopicBus;
  readonly quotas: AddressQuotas;
  readonly counters: DialectCounters;
}

/**
 * One ws-relay client connection (Trystero's `@trystero-p2p/ws-relay`): the topics it subscribes
 * to and its event budget. Every message on those topics reaches it as `{ topic, payload }` — its
 * own publishes too, as in the reference server — and so do Nostr events, as their content.
 */
export class WsRelaySession implements TopicSubscriber {
  readonly deps: WsRelayDeps;
  readonly socket: TopicSocket;
  readonly bucket: TokenBucket;
  readonly #topics = new Set<string>();

  constructor(deps: WsRelayDeps, socket: TopicSocket) {
    this.deps = deps;
    this.socket = socket;
    this.bucket = deps.quotas.connectionBucket();
  }

  get clientKey(): string {
    return this.socket.clientKey;
  }

  deliver(delivery: BusDelivery): void {
    const message: WsRelayServerMessage = {
      topic: delivery.message.topic,
      payload: delivery.payload,
    };
    this.socket.send(JSON.stringify(message));
    this.deps.counters.add('messages_sent');
  }

  /** Subscribes to `topic` (idempotent), within the per-connection and per-address caps. */
  subscribe(topic: string): SigmeshError | undefined {
    if (this.#topics.has(topic)) return undefined;
    const max = this.deps.config.topicsMaxTopicsPerConnection;
    if (this.#topics.size >= max)
      return sigmeshError('TOPIC_LIMIT_REACHED', `at most ${max} topics per connection`);
    const refusal = this.deps.quotas.addTopics(this.clientKey, 1);
    if (refusal !== undefined) return refusal;
    this.#topics.add(topic);
    this.deps.bus.subscribe(this, topic);
    return undefined;
  }

  unsubscribe(topic: string): void {
    if (!this.#topics.delete(topic)) return;
    this.deps.quotas.removeTopics(this.clientKey, 1);
    this.deps.bus.unsubscribe(this, topic);
  }

  /** Publishes `payload` on `topic` to every subscriber here and across the mesh. */
  publish(topic: string, payload: JsonValue): void {
    this.deps.bus.publish(this, { id: this.deps.bus.newId(), topic, payload });
  }

  /** Tells the client why a message was not acted on (Trystero's client ignores these frames). */
  refuse(error: SigmeshError): void {
    this.deps.counters.add(`refused_${error.code.toLowerCase()}`);
    const frame: WsRelayErrorMessage = { type: 'error', code: error.code, message: error.message };
    this.socket.send(JSON.stringify(frame));
  }

  closed(): void {
    this.deps.quotas.removeTopics(this.clientKey, this.#topics.size);
    this.#topics.clear();
    this.deps.bus.drop(this);
  }
}
