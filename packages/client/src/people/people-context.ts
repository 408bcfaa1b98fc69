import {
  fromBase64url,
  inboxRoomHash,
  parseInboxMessage,
  sigmeshError,
  type InboxMessage,
  type MessageEvent,
} from '@sigmesh/protocol';
import type { NodePool } from '../nodes/node-pool.js';
import type { NodeSession } from '../nodes/node-session.js';
import type { PowSolver } from '../pow/pow-solver.js';
import type { Room } from '../room.js';
import type { ContactCard } from './contact-link.js';
import { InboxChannel } from './inbox-channel.js';
import { sealedEnvelope } from './inbox-envelope.js';
import { privateInboxParts } from './private-inbox.js';
import { isPeerKey, verifyInboxMessage, type InboxSigner } from './inbox-signing.js';
import { peopleDefaults } from './people-options.js';

/** Whom to reach: a key (its public inbox), or a contact card (its private inbox, if it has one). */
export type Reach = string | ContactCard;

/** The key a {@link Reach} names. */
export function keyOf(peer: Reach): string {
  return typeof peer === 'string' ? peer : peer.key;
}

/** What calls, rings and pings share: who we are and how nodes are reached. */
export interface PeopleContext {
  readonly identity: InboxSigner;
  /** The name rings, requests and notes carry (changed by `people.name = …`). */
  name: string | undefined;
  readonly pool: NodePool;
  readonly solver: PowSolver;
  readonly ringMs: number;
  readonly joinTimeoutMs: number;
  readonly maxPowDifficulty: number;
  /** Leave a missed-call note in the DHT when a call goes unanswered. */
  readonly missedNotes: boolean;
  /**
   * Joins a call's room (`callRoom`), sealed with a key from `secret` (which may come later);
   * `created` gets the room before any node is joined.
   */
  joinCall(
    room: string,
    secret: Promise<Uint8Array>,
    created?: (room: Room) => void,
  ): Promise<Room>;
}

/** An inbox message that verified: signed by its `from`, for us, fresh. */
export interface VerifiedMessage {
  readonly message: InboxMessage;
  /** The member that posted it (where an answer goes). */
  readonly member: MessageEvent['from'];
  readonly session: NodeSession;
}

/**
 * The inbox message in `event`, when it parses, is signed by the key it names for `self`, and was
 * signed within the freshness window of `now`; undefined otherwise (dropped without a word: a
 * forgery gets no answer).
 */
export async function verifiedMessage(
  event: MessageEvent,
  session: NodeSession,
  self: string,
  now: number,
): Promise<VerifiedMessage | undefined> {
  const parsed = parseInboxMessage(event.data);
  if (!parsed.ok) return undefined;
  const message = parsed.value;
  if (Math.abs(now - message.at) > peopleDefaults.freshnessMs) return undefined;
  if (!(await verifyInboxMessage(message, self))) return undefined;
  return { message, member: event.from, session };
}

/**
 * Joins `peer`'s inbox as a guest on one node, carrying `first` (a signed message) in the join
 * where the node takes it, and hands on what verifies.
 */
export async function openGuestChannel(
  ctx: PeopleContext,
  peer: Reach,
  first: unknown,
  received: (verified: VerifiedMessage) => void,
): Promise<InboxChannel> {
  const { key, inbox } = typeof peer === 'string' ? { key: peer, inbox: undefined } : peer;
  const raw = isPeerKey(key) ? fromBase64url(key) : undefined;
  if (raw === undefined)
    throw sigmeshError('PEER_KEY_INVALID', 'a peer key is a raw ed25519 key in base64url');
  // Through its private inbox when the card gives one: sealed, under a key nobody links to it.
  const hidden = inbox === undefined ? undefined : privateInboxParts(inbox);
  if (inbox !== undefined && hidden === undefined)
    throw sigmeshError('PEER_KEY_INVALID', 'the private inbox address is malformed');
  const channel = new InboxChannel({
    room: hidden?.room ?? inboxRoomHash(raw),
    ...(hidden === undefined ? {} : { envelope: await sealedEnvelope(hidden.seal, hidden.room) }),
    pool: ctx.pool,
    solver: ctx.solver,
    k: 1,
    joinTimeoutMs: ctx.joinTimeoutMs,
    maxPowDifficulty: ctx.maxPowDifficulty,
    hello: first,
    message: (event, session) =>
      void verifiedMessage(event, session, ctx.identity.publicKey, Date.now()).then((verified) => {
        if (verified?.message.from === key) received(verified);
      }),
  });
  await channel.open();
  return channel;
}
