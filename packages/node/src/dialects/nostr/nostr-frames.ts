import {
  nostrRefusalTarget,
  parseNostrClientMessage,
  sigmeshError,
  type NostrClientMessage,
} from '@sigmesh/protocol';
import { handleClose } from './handle-close.js';
import { handleEvent } from './handle-event.js';
import { handleReq } from './handle-req.js';
import { nostrRefusalText } from './nostr-reasons.js';
import type { NostrSession } from './nostr-session.js';

type Handler<T extends NostrClientMessage['type']> = (
  session: NostrSession,
  message: Extract<NostrClientMessage, { type: T }>,
) => void;

/** One handler per client message type; the compiler checks every type has one. */
const handlers = {
  EVENT: handleEvent,
  REQ: handleReq,
  CLOSE: handleClose,
} satisfies { [T in NostrClientMessage['type']]: Handler<T> };

/**
 * One text frame from a Nostr client: parsed at the trust boundary, then handed to its handler.
 * A frame that does not parse is answered on what can still be read of it — `OK false` for an
 * event with a readable id, `CLOSED` for a REQ with a readable id, else `NOTICE` — always with
 * the `invalid:` prefix, and the connection stays open.
 */
export function handleNostrFrame(session: NostrSession, text: string): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return refuseFrame(session, undefined, 'a frame is one JSON array');
  }
  const message = parseNostrClientMessage(value);
  if (!message.ok) return refuseFrame(session, value, message.message);
  dispatch(session, message.value);
}

function dispatch(session: NostrSession, message: NostrClientMessage): void {
  switch (message.type) {
    case 'EVENT':
      return handlers.EVENT(session, message);
    case 'REQ':
      return handlers.REQ(session, message);
    case 'CLOSE':
      return handlers.CLOSE(session, message);
  }
}

function refuseFrame(session: NostrSession, value: unknown, reason: string): void {
  session.deps.counters.add('refused_topic_message_invalid');
  session.deps.log.debug(
    { code: 'TOPIC_MESSAGE_INVALID', clientKey: session.clientKey },
    `nostr: ${reason}`,
  );
  const text = nostrRefusalText(sigmeshError('TOPIC_MESSAGE_INVALID', reason));
  const target = nostrRefusalTarget(value);
  if (target.kind === 'OK') session.send(['OK', target.id, false, text]);
  else if (target.kind === 'CLOSED') {
    // A REQ that replaced nothing valid: the id is closed either way.
    session.closeSubscription(target.subId);
    session.send(['CLOSED', target.subId, text]);
  } else session.send(['NOTICE', text]);
}
