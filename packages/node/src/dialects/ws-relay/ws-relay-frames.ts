import {
  parseWsRelayClientMessage,
  sigmeshError,
  type WsRelayClientMessage,
} from '@sigmesh/protocol';
import type { WsRelaySession } from './ws-relay-session.js';

type Handler<T extends WsRelayClientMessage['type']> = (
  session: WsRelaySession,
  message: Extract<WsRelayClientMessage, { type: T }>,
) => void;

/** One handler per client message type; the compiler checks every type has one. */
const handlers = {
  subscribe(session, { topic }) {
    session.deps.counters.add('subscribes');
    const refusal = session.subscribe(topic);
    if (refusal !== undefined) session.refuse(refusal);
  },
  unsubscribe(session, { topic }) {
    session.deps.counters.add('unsubscribes');
    session.unsubscribe(topic);
  },
  publish(session, { topic, payload }) {
    const rate = session.deps.quotas.takeEvent(session.bucket, session.clientKey);
    if (rate !== undefined) return session.refuse(rate);
    session.deps.counters.add('publishes');
    session.publish(topic, payload);
  },
} satisfies { [T in WsRelayClientMessage['type']]: Handler<T> };

/**
 * One text frame from a ws-relay client, parsed at the trust boundary. The reference server
 * ignores what it cannot parse; this one says so with an error frame and keeps the connection.
 */
export function handleWsRelayFrame(session: WsRelaySession, text: string): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return session.refuse(sigmeshError('TOPIC_MESSAGE_INVALID', 'a frame is one JSON object'));
  }
  const message = parseWsRelayClientMessage(value);
  if (!message.ok) return session.refuse(sigmeshError(message.code, message.message));
  switch (message.value.type) {
    case 'subscribe':
      return handlers.subscribe(session, message.value);
    case 'unsubscribe':
      return handlers.unsubscribe(session, message.value);
    case 'publish':
      return handlers.publish(session, message.value);
  }
}
