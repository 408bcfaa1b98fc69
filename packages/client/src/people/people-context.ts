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
import { InboxChannel } from './inbox-channel.js';
import { isPeerKey, verifyInboxMessage, type InboxSigner } from './inbox-signing.js';
import { peopleDefaults } from './people-options.js';

/** What calls, rings and pings share: who we are and how nodes are reached. */
export interface PeopleContext {
  readonly identity: InboxSigner;
  readonly name: string | undefined;
  readonly pool: NodePool;
  readonly solver: PowSolver;
  readonly ringMs: number;
  readonly joinTimeoutMs: number;
  readonly maxPowDifficulty: number;
  /** Leave a missed-call note in the DHT when a call goes unanswered. */
  readonly missedNotes: boolean;
  /** Joins a call's room (`callRoom`), sealed with a key from `secret` (which may come later). */
  joinCall(room: string, secret: Promise<Uint8Array>): Promise<Room>;
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
  peer: string,
  first: unknown,
  received: (verified: VerifiedMessage) => void,
): Promise<InboxChannel> {
  const raw = isPeerKey(peer) ? fromBase64url(peer) : undefined;
  if (raw === undefined)
    throw sigmeshError('PEER_KEY_INVALID', 'a peer key is a raw ed25519 key in base64url');
  const channel = new InboxChannel({
    room: inboxRoomHash(raw),
    pool: ctx.pool,
    solver: ctx.solver,
    k: 1,
    joinTimeoutMs: ctx.joinTimeoutMs,
    maxPowDifficulty: ctx.maxPowDifficulty,
    hello: first,
    message: (event, session) =>
      void verifiedMessage(event, session, ctx.identity.publicKey, Date.now()).then((verified) => {
        if (verified?.message.from === peer) received(verified);
      }),
  });
  await channel.open();
  return channel;
}
