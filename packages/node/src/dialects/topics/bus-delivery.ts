import type { JsonValue, NostrEvent, TopicBusMessage } from '@sigmesh/protocol';

/**
 * One bus message on its way to this node's subscribers. What each dialect sends is serialized
 * once per message, not once per subscriber: the event's JSON for Nostr, the content for ws-relay.
 */
export class BusDelivery {
  readonly message: TopicBusMessage;
  #eventJson: string | undefined;

  constructor(message: TopicBusMessage) {
    this.message = message;
  }

  /** The signed Nostr event, when the message came from a Nostr client. */
  get event(): NostrEvent | undefined {
    return 'event' in this.message ? this.message.event : undefined;
  }

  /** The event as JSON (computed once). */
  get eventJson(): string | undefined {
    const event = this.event;
    if (event === undefined) return undefined;
    return (this.#eventJson ??= JSON.stringify(event));
  }

  /** What a ws-relay subscriber gets: the payload, or a Nostr event's content string. */
  get payload(): JsonValue {
    return 'event' in this.message ? this.message.event.content : this.message.payload;
  }
}
