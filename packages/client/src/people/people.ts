import {
  fromBase64url,
  MAX_REQUEST_TEXT_CHARS,
  inboxOwnerTranscript,
  inboxRoomHash,
  sigmeshError,
  toBase64url,
  type InboxMessage,
} from '@sigmesh/protocol';
import { Emitter } from '../emitter.js';
import { Identity } from '../identity/identity.js';
import {
  checkOptions,
  joinKeyedRoom,
  joinRoomDefaults,
  nodePoolFor,
  type JoinRoomOptions,
} from '../join-room.js';
import { RoomKey } from '../signaling/room-key.js';
import { createPowSolver } from '../pow/pow-solver.js';
import { SharedSolver } from '../pow/shared-solver.js';
import { encode } from '../signaling/encode.js';
import { SeenIds } from '../signaling/seen-ids.js';
import type { Call } from './call.js';
import { answer, IncomingRing } from './incoming-ring.js';
import { InboxChannel } from './inbox-channel.js';
import { sealedEnvelope } from './inbox-envelope.js';
import {
  privateInboxAddress,
  privateInboxParts,
  type PrivateInboxAddress,
} from './private-inbox.js';
import type { ContactCard } from './contact-link.js';
import { isPeerKey, type InboxSigner } from './inbox-signing.js';
import { AnswerLog } from './answer-log.js';
import { ask, pong } from './ask.js';
import { readMissedCalls, type MissedCall } from './missed-notes.js';
import { placeCall, type CallOptions } from './outgoing-call.js';
import {
  verifiedMessage,
  type PeopleContext,
  type Reach,
  type VerifiedMessage,
} from './people-context.js';
import { peopleDefaults, type PeopleOptions } from './people-options.js';

/** What {@link People} tells its listeners. */
export interface PeopleEvents {
  /** Someone is calling (its signature checked; with `acceptFrom: 'contacts'`, a contact). */
  ring: (ring: IncomingRing) => void;
  /** A ring ended unanswered. */
  missed: (missed: MissedCall) => void;
  /** Someone asks to be added as a contact (never from a blocked key). */
  request: (request: ContactRequest) => void;
}

/** A contact request: who asks (its signature checked), the name it gives and its text. */
export interface ContactRequest {
  readonly from: string;
  readonly name: string | undefined;
  readonly text: string | undefined;
  readonly at: number;
}

/** Where a person listens, as its `pong` says. */
export interface PeerPresence {
  /** The node URLs its inbox listens on (public node addresses, never the person's). */
  readonly nodes: readonly string[];
  /** From our first `ping` to its `pong`, ms. */
  readonly rttMs: number;
}

/** Rings still ringing at once; beyond, the oldest is dropped (missed). */
const MAX_RINGING = 64;

/**
 * You, reachable as a person: listening on your inbox (derived from your lasting key) on a few
 * nodes, so anyone who knows your key can ring you on whatever node they use; and calling others
 * by their keys. Made by {@link connectPeople}.
 */
export class People extends Emitter<PeopleEvents> {
  /** Your lasting key (raw ed25519, base64url): what others call you by. */
  readonly key: string;
  readonly #ctx: PeopleContext;
  readonly #options: PeopleOptions;
  readonly #seen = new SeenIds(1024);
  readonly #ringing = new Map<string, IncomingRing>();
  readonly #answers: AnswerLog;
  readonly #inboxes: InboxChannel[] = [];
  #private: PrivateInboxAddress | undefined;

  #acceptFrom: 'anyone' | 'contacts';

  constructor(ctx: PeopleContext, options: PeopleOptions) {
    super();
    this.key = ctx.identity.publicKey;
    this.#ctx = ctx;
    this.#options = options;
    this.#acceptFrom = options.acceptFrom ?? 'anyone';
    // Kept while the caller may ring; rings crossing the answer arrive within two repeats.
    this.#answers = new AnswerLog({
      keepMs: ctx.ringMs + 10_000,
      spacingMs: 2 * peopleDefaults.ringRepeatMs,
    });
  }

  /** The name your rings, requests and missed-call notes carry from now on (at most 64 characters). */
  get name(): string | undefined {
    return this.#ctx.name;
  }

  set name(name: string | undefined) {
    this.#ctx.name = name === undefined || name === '' ? undefined : name.slice(0, 64);
  }

  /** Whose rings reach you (see the option); applies to the next ring or ping. */
  get acceptFrom(): 'anyone' | 'contacts' {
    return this.#acceptFrom;
  }

  set acceptFrom(value: 'anyone' | 'contacts') {
    if (value !== 'anyone' && value !== 'contacts')
      throw sigmeshError('CLIENT_OPTIONS_INVALID', "acceptFrom is 'anyone' or 'contacts'");
    this.#acceptFrom = value;
  }

  /**
   * Starts listening on your inbox, and on your private inbox when you have one; resolves once a
   * node holds each.
   */
  async listen(): Promise<void> {
    const listening = [this.#listenOn(this.#ctx.identity, undefined)];
    const { privateInbox } = this.#options;
    if (privateInbox !== undefined) {
      this.#private = await privateInboxAddress(privateInbox);
      listening.push(this.#listenOn(privateInbox, this.#private));
    }
    await Promise.all(listening);
  }

  /** Listens as the owner of `signer`'s inbox (sealed with `hidden`'s secret when private). */
  async #listenOn(signer: InboxSigner, hidden: PrivateInboxAddress | undefined): Promise<void> {
    const raw = fromBase64url(signer.publicKey);
    if (raw?.length !== 32)
      throw sigmeshError('CLIENT_OPTIONS_INVALID', 'an inbox key must be a raw ed25519 key');
    const room = inboxRoomHash(raw);
    const seal = hidden === undefined ? undefined : privateInboxParts(hidden)?.seal;
    const channel: InboxChannel = new InboxChannel({
      room,
      pool: this.#ctx.pool,
      solver: this.#ctx.solver,
      k: this.#options.inboxNodes ?? peopleDefaults.inboxNodes,
      joinTimeoutMs: this.#ctx.joinTimeoutMs,
      maxPowDifficulty: this.#ctx.maxPowDifficulty,
      ...(seal === undefined ? {} : { envelope: await sealedEnvelope(seal, room) }),
      owner: async (token, nodeId) => {
        const signedAt = Date.now();
        const transcript = inboxOwnerTranscript(room, nodeId, signedAt, token);
        const sig = toBase64url(await signer.sign(encode(transcript)));
        return `${signer.publicKey}.${signedAt}.${sig}`;
      },
      // Messages are signed for our lasting key in either inbox.
      message: (event, session) =>
        void verifiedMessage(event, session, this.key, Date.now()).then((verified) => {
          if (verified !== undefined) void this.#received(verified, channel);
        }),
    });
    this.#inboxes.push(channel);
    await channel.open();
  }

  /**
   * Your contact card (for `contactLink`): your key and name, and your private inbox when you
   * have one — give a card with it only to people you want to reach you privately.
   */
  async card(): Promise<ContactCard> {
    const hidden =
      this.#private ??
      (this.#options.privateInbox === undefined
        ? undefined
        : await privateInboxAddress(this.#options.privateInbox));
    const base = { key: this.key, name: this.#ctx.name ?? '' };
    return hidden === undefined ? base : { ...base, inbox: hidden };
  }

  /** The nodes your inbox listens on now. */
  get nodes(): readonly string[] {
    return [...new Set(this.#inboxes.flatMap((inbox) => inbox.sessions.map((s) => s.url)))];
  }

  /**
   * Calls `peer` — a key, or a contact card (through its private inbox when it has one): resolves with the call once it is accepted, rejects with
   * CALL_DECLINED, CALL_BUSY, CALL_REFUSED, CALL_UNANSWERED (after `ringMs`), CALL_CANCELLED
   * (`signal` aborted) or PEER_KEY_INVALID.
   */
  call(peer: Reach, options?: CallOptions): Promise<Call> {
    return placeCall(this.#ctx, peer, options);
  }

  /**
   * Whether `peer` is listening and answers you: its signed `pong` to a signed `ping`, with the
   * nodes its inbox listens on and the round trip; undefined within `timeoutMs` (offline, or it
   * takes calls from contacts only and you are not one, or it blocked you).
   */
  async ping(
    peer: Reach,
    timeoutMs: number = peopleDefaults.pingTimeoutMs,
  ): Promise<PeerPresence | undefined> {
    const answer = await ask(this.#ctx, peer, { kind: 'ping' }, timeoutMs);
    return answer === undefined
      ? undefined
      : { nodes: answer.pong.nodes ?? [], rttMs: answer.rttMs };
  }

  /**
   * Asks `peer` to add you as a contact (your name and `text`, at most 280 characters): true once
   * its client acknowledged it, false after `timeoutMs` (offline, or it blocked you). A person
   * taking calls from contacts only still receives requests.
   */
  async requestContact(
    peer: Reach,
    options: { text?: string; timeoutMs?: number } = {},
  ): Promise<boolean> {
    const request = {
      kind: 'request' as const,
      ...(this.#ctx.name === undefined ? {} : { name: this.#ctx.name }),
      ...(options.text === undefined
        ? {}
        : { text: options.text.slice(0, MAX_REQUEST_TEXT_CHARS) }),
    };
    const timeoutMs = options.timeoutMs ?? peopleDefaults.pingTimeoutMs;
    return (await ask(this.#ctx, peer, request, timeoutMs)) !== undefined;
  }

  /**
   * Calls that `callers` (keys you know: your contacts) noted for you in the DHT after ringing
   * unanswered — while you were offline, say — since `since` (Unix ms), oldest first. Each costs
   * one paid DHT read per caller (two with a private inbox: notes left through it too).
   */
  async missedCalls(callers: readonly string[], since: number): Promise<MissedCall[]> {
    const hidden =
      this.#private ??
      (this.#options.privateInbox === undefined
        ? undefined
        : await privateInboxAddress(this.#options.privateInbox));
    return readMissedCalls(this.#ctx, callers, since, hidden);
  }

  /** Stops listening (calls in progress go on in their own rooms, with their own PoW references). */
  close(): void {
    for (const inbox of this.#inboxes) inbox.close();
    for (const ring of this.#ringing.values()) ring.cancelled();
    this.#ringing.clear();
    this.#ctx.solver.close();
  }

  async #received(verified: VerifiedMessage, inbox: InboxChannel): Promise<void> {
    const { message, member } = verified;
    const trusted = this.#options.isContact?.(message.from) ?? false;
    const blocked = this.#options.isBlocked?.(message.from) ?? false;
    const open = !blocked && (this.#acceptFrom === 'anyone' || trusted);
    switch (message.kind) {
      case 'ring': {
        const id = `${message.from}/${message.call}`;
        // Heard again: the caller never got our answer (if we gave one), so it goes again.
        if (!this.#seen.first(id)) {
          await this.#answers.again(id, inbox, member, Date.now());
          return;
        }
        const sent = (reply: InboxMessage): void => this.#answers.record(id, reply, Date.now());
        if (!open) {
          await answer(this.#ctx, inbox, member, message.from, message.call, 'refused', sent);
          return;
        }
        // A contact's ring joins the call's room at once: a contact can see we are online anyway,
        // and a stranger must not make us pay a join (PoW) per ring.
        const early = trusted && !blocked && this.#options.joinWhileRinging !== 'never';
        const ring = new IncomingRing(this.#ctx, inbox, verified, { early, sent });
        this.#track(ring);
        this.emit('ring', ring);
        return;
      }
      case 'cancel':
        this.#ringing.get(`${message.from}/${message.call}`)?.cancelled();
        return;
      case 'ping':
        // Strangers (when only contacts may call) do not learn whether we are here, or where.
        if (open)
          await pong(this.#ctx, inbox, message.from, message.nonce, member, this.nodes.slice(0, 8));
        return;
      case 'request': {
        if (blocked) return;
        // Asked again until acknowledged: a repeat means our pong was lost. Acknowledged again,
        // heard once.
        const first = this.#seen.first(`${message.from}/${message.nonce}`);
        await pong(this.#ctx, inbox, message.from, message.nonce, member, undefined);
        if (first)
          this.emit('request', {
            from: message.from,
            name: message.name,
            text: message.text,
            at: message.at,
          });
        return;
      }
      default:
        return; // Answers go to a caller's guest channel, not here.
    }
  }

  /** Keeps a ring until it is answered or missed (cancelled, or silent past the ring time). */
  #track(ring: IncomingRing): void {
    const id = `${ring.from}/${ring.call}`;
    if (this.#ringing.size >= MAX_RINGING) {
      const oldest = this.#ringing.values().next().value;
      oldest?.cancelled();
    }
    this.#ringing.set(id, ring);
    const expiry = setTimeout(() => ring.cancelled(), this.#ctx.ringMs + 10_000);
    ring.on('cancel', () => {
      clearTimeout(expiry);
      this.#ringing.delete(id);
      this.emit('missed', { from: ring.from, name: ring.name, at: ring.at, call: ring.call });
    });
    ring.on('answered', () => {
      clearTimeout(expiry);
      this.#ringing.delete(id);
    });
  }
}

/**
 * Connects you as a person (see {@link People}): starts listening on your inbox and resolves once
 * a node holds it. Rejects like `joinRoom` when no node lets you in.
 */
export async function connectPeople(options: PeopleOptions): Promise<People> {
  if (!isPeerKey(options.identity?.publicKey))
    throw sigmeshError('CLIENT_OPTIONS_INVALID', 'identity must be an ed25519 identity');
  // The calls' rooms are joined with these options: refuse now what they would refuse then.
  checkOptions({ ...roomOptionsOf(options), room: 'people' });
  const early = options.joinWhileRinging;
  if (early !== undefined && early !== 'contacts' && early !== 'never')
    throw sigmeshError('CLIENT_OPTIONS_INVALID', "joinWhileRinging is 'contacts' or 'never'");
  const shared = new SharedSolver(createPowSolver());
  const solver = shared.take();
  const maxPowDifficulty = options.maxPowDifficulty ?? joinRoomDefaults.maxPowDifficulty;
  const pool = nodePoolFor(options, solver);
  const { identity, name, ringMs, missedNotes } = options;
  const ctx: PeopleContext = {
    identity,
    name: name === undefined || name === '' ? undefined : name.slice(0, 64),
    pool,
    solver,
    ringMs: ringMs ?? peopleDefaults.ringMs,
    joinTimeoutMs: options.joinTimeoutMs ?? joinRoomDefaults.joinTimeoutMs,
    maxPowDifficulty,
    missedNotes: missedNotes ?? true,
    joinCall: (room, secret, created) =>
      joinKeyedRoom(
        { ...roomOptionsOf(options), room },
        secret.then((bytes) => RoomKey.fromSecret(bytes, options.appId, room)),
        { solver: () => shared.take(), ...(created === undefined ? {} : { created }) },
      ),
  };
  const people = new People(ctx, options);
  try {
    if (options.listen !== false) await people.listen();
  } catch (error) {
    people.close();
    throw error;
  }
  return people;
}

/** The options a call's room is joined with: the app's room options, without the people's. */
function roomOptionsOf(options: PeopleOptions): Omit<JoinRoomOptions, 'room' | 'password'> {
  const room = Object.entries(options).filter(([key]) => !PEOPLE_ONLY.has(key));
  const { identity } = options;
  return {
    ...(Object.fromEntries(room) as Omit<JoinRoomOptions, 'room' | 'password' | 'identity'>),
    ...(identity instanceof Identity ? { identity } : {}),
  };
}

const PEOPLE_ONLY: ReadonlySet<string> = new Set([
  'identity',
  'name',
  'acceptFrom',
  'isContact',
  'isBlocked',
  'ringMs',
  'inboxNodes',
  'missedNotes',
  'listen',
  'privateInbox',
  'joinWhileRinging',
]);
