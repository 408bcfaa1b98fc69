import { isRecord, parsed, rejected, type ParseResult } from './parse-result.js';
import { parseNostrEvent, type NostrEvent } from './nostr-messages.js';
import { isTopic, type JsonValue } from './ws-relay-messages.js';

// The `data` of a topic-bus room message between nodes (docs/dialects.md § How federation works):
// one message published on one topic by a Nostr or ws-relay client, carried in the room of a root
// topic its connection shares with other nodes.

/** A bus message: a signed Nostr event, or a ws-relay payload. */
export type TopicBusMessage =
  | {
      /** Bus id (dedupe across rooms and routes): the event id's first 32 hex characters. */
      readonly id: string;
      readonly topic: string;
      readonly event: NostrEvent;
    }
  | {
      /** Bus id: 32 random hex characters given at the node where it entered. */
      readonly id: string;
      readonly topic: string;
      readonly payload: JsonValue;
    };

const BUS_ID = /^[0-9a-f]{32}$/;

/** Parses a bus message arrived from another node (shape only: the ingress node checked it). */
export function parseTopicBusMessage(value: unknown): ParseResult<TopicBusMessage> {
  if (!isRecord(value)) return invalid('a bus message is a JSON object');
  const { id, topic } = value;
  if (typeof id !== 'string' || !BUS_ID.test(id)) return invalid('bad bus id');
  if (!isTopic(topic)) return invalid('bad topic');
  if ('event' in value) {
    const event = parseNostrEvent(value.event);
    return event.ok ? parsed({ id, topic, event: event.value }) : event;
  }
  if (!('payload' in value) || value.payload === undefined) return invalid('no event or payload');
  return parsed({ id, topic, payload: value.payload as JsonValue });
}

function invalid(message: string): ParseResult<never> {
  return rejected('TOPIC_MESSAGE_INVALID', message);
}
