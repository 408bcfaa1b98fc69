import { isRecord, parsed, rejected, type ParseResult } from './parse-result.js';

// The JSON pub/sub protocol of Trystero's ws-relay strategy (`@trystero-p2p/ws-relay`,
// packages/ws-relay/src/{index,server}.ts in dmotz/trystero), which a sigmesh node serves at
// /ws-relay. Trystero's client sends string payloads; its reference server relays any JSON value.

/** Any JSON value (a ws-relay payload). */
export type JsonValue =
  null | string | number | boolean | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** What a ws-relay client sends. */
export type WsRelayClientMessage =
  | { readonly type: 'subscribe'; readonly topic: string }
  | { readonly type: 'unsubscribe'; readonly topic: string }
  | { readonly type: 'publish'; readonly topic: string; readonly payload: JsonValue };

/** What every subscriber of `topic` receives, the publisher included. */
export interface WsRelayServerMessage {
  readonly topic: string;
  readonly payload: JsonValue;
}

/**
 * A refusal. Not in Trystero's protocol: its client ignores frames without a string `topic`
 * (index.ts `parseServerMessage`), so this never reaches a room, but a person or a raw client
 * reading the socket learns why a message was not relayed.
 */
export interface WsRelayErrorMessage {
  readonly type: 'error';
  readonly code: string;
  readonly message: string;
}

/** Topics longer than this are refused (Trystero's are SHA-1 in base 36: 20–40 characters). */
export const TOPIC_MAX_LENGTH = 256;

/** True for a topic a node carries: a non-empty string of at most {@link TOPIC_MAX_LENGTH}. */
export function isTopic(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= TOPIC_MAX_LENGTH;
}

/** Parses one ws-relay client message from a decoded JSON frame. */
export function parseWsRelayClientMessage(value: unknown): ParseResult<WsRelayClientMessage> {
  if (Array.isArray(value) && typeof value[0] === 'string')
    return invalid('this is the ws-relay endpoint; Nostr messages go to /nostr');
  if (!isRecord(value)) return invalid('a message is a JSON object with a type and a topic');
  const { type, topic } = value;
  if (!isTopic(topic))
    return invalid(`topic must be a string of 1 to ${TOPIC_MAX_LENGTH} characters`);
  if (type === 'subscribe' || type === 'unsubscribe') return parsed({ type, topic });
  if (type === 'publish') {
    if (!('payload' in value) || value.payload === undefined)
      return invalid('publish carries a payload');
    return parsed({ type, topic, payload: value.payload as JsonValue });
  }
  return invalid('type must be subscribe, unsubscribe or publish');
}

function invalid(message: string): ParseResult<never> {
  return rejected('TOPIC_MESSAGE_INVALID', message);
}
