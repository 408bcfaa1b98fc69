import {
  isTopic,
  NOSTR_EPHEMERAL_KINDS,
  nostrTagValue,
  sigmeshError,
  TOPIC_MAX_LENGTH,
  type NostrEvent,
  type SigmeshError,
} from '@sigmesh/protocol';
import { nostrRefusalText, type NostrRefusalCode } from './nostr-reasons.js';
import type { NostrSession } from './nostr-session.js';

/**
 * `["EVENT", event]` (NIP-01): every event gets an `OK`. Cheap checks come first — the budget,
 * the Trystero profile (an ephemeral kind with an `x` tag), the clock window, the id hash, a
 * duplicate — and the signature last, once, here where the event enters the mesh; other nodes take
 * it on this node's word (docs/dialects.md § Node-attested forwarding).
 */
export function handleEvent(session: NostrSession, { event }: { event: NostrEvent }): void {
  const { bus, quotas, verifier, config, counters, now } = session.deps;
  const refuse = (code: NostrRefusalCode, message: string | SigmeshError): void => {
    const error = typeof message === 'string' ? sigmeshError(code, message) : message;
    counters.add(`refused_${error.code.toLowerCase()}`);
    session.send(['OK', event.id, false, nostrRefusalText(error)]);
  };
  const rate = quotas.takeEvent(session.bucket, session.clientKey);
  if (rate !== undefined) return refuse('TOPIC_RATE_LIMITED', rate);
  if (event.kind < NOSTR_EPHEMERAL_KINDS.min || event.kind > NOSTR_EPHEMERAL_KINDS.max)
    return refuse(
      'NOSTR_EVENT_RESTRICTED',
      `only ephemeral kinds ${NOSTR_EPHEMERAL_KINDS.min}-${NOSTR_EPHEMERAL_KINDS.max} are relayed (live, never stored)`,
    );
  const topic = nostrTagValue(event, 'x');
  if (!isTopic(topic))
    return refuse(
      'NOSTR_EVENT_RESTRICTED',
      `an event needs an x tag naming its topic (1 to ${TOPIC_MAX_LENGTH} characters)`,
    );
  const skew = Math.round(Math.abs(event.created_at - now() / 1000));
  if (skew > config.nostrClockWindowSeconds)
    return refuse(
      'NOSTR_EVENT_INVALID',
      `created_at is ${skew} s from this relay's clock (at most ${config.nostrClockWindowSeconds} s)`,
    );
  if (!verifier.idMatches(event))
    return refuse('NOSTR_EVENT_INVALID', 'the id is not the SHA-256 of the serialized event');
  const id = event.id.slice(0, 32);
  if (bus.has(id)) return duplicate(session, event);
  if (!verifier.signatureValid(event))
    return refuse('NOSTR_EVENT_INVALID', 'the signature does not verify');
  const outcome = bus.publish(session, { id, topic, event });
  if (outcome === undefined) return duplicate(session, event);
  counters.add('events_accepted');
  session.send(['OK', event.id, true, '']);
  if (outcome.notFederated !== undefined) session.notFederated(topic, outcome.notFederated);
}

/** Already relayed (the client lists several nodes, or sent it twice): accepted, not sent again. */
function duplicate(session: NostrSession, event: NostrEvent): void {
  session.deps.counters.add('events_duplicate');
  session.send(['OK', event.id, true, 'duplicate: already have this event']);
}
