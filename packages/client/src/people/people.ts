import {
  fromBase64url,
  MAX_REQUEST_TEXT_CHARS,
  inboxOwnerTranscript,
  inboxRoomHash,
  sigmeshError,
  toBase64url,
} from '@sigmesh/protocol';
import { Emitter } from '../emitter.js';
import { Identity } from '../identity/identity.js';
import { joinKeyedRoom, joinRoomDefaults, type JoinRoomOptions } from '../join-room.js';
import { RoomKey } from '../signaling/room-key.js';
import { NodeMemory } from '../nodes/node-memory.js';
import { NodePool } from '../nodes/node-pool.js';
import { createPowSolver } from '../pow/pow-solver.js';
import { SharedSolver } from '../pow/shared-solver.js';
import { encode } from '../signaling/encode.js';
import { SeenIds } from '../signaling/seen-ids.js';
import type { Call } from './call.js';
import { answer, IncomingRing } from './incoming-ring.js';
import { InboxChannel } from './inbox-channel.js';
import { isPeerKey, signInboxMessage } from './inbox-signing.js';
import { ask } from './ask.js';
import { readMissedCalls, type MissedCall } from './missed-notes.js';
import { placeCall, type CallOptions } from './outgoing-call.js';
import { verifiedMessage, type PeopleContext, type VerifiedMessage } from './people-context.js';
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
  #inbox: InboxChannel | undefined;

  constructor(ctx: PeopleContext, options: PeopleOptions) {
    super();
    this.key = ctx.identity.publicKey;
    this.#ctx = ctx;
    this.#options = options;
  }

  /** Starts listening on your inbox; resolves once a node holds it. */
  async listen(): Promise<void> {
    const raw = fromBase64url(this.key);
    if (raw?.length !== 32)
      throw sigmeshError('PEER_KEY_INVALID', 'the identity key is not a raw ed25519 key');
    const room = inboxRoomHash(raw);
    const { identity } = this.#ctx;
    const inbox = new InboxChannel({
      room,
      pool: this.#ctx.pool,
      solver: this.#ctx.solver,
      k: this.#options.inboxNodes ?? peopleDefaults.inboxNodes,
      joinTimeoutMs: this.#ctx.joinTimeoutMs,
      maxPowDifficulty: this.#ctx.maxPowDifficulty,
      owner: async (token, nodeId) => {
        const signedAt = Date.now();
        const transcript = inboxOwnerTranscript(room, nodeId, signedAt, token);
        const sig = toBase64url(await identity.sign(encode(transcript)));
        return `${this.key}.${signedAt}.${sig}`;
      },
      message: (event, session) =>
        void verifiedMessage(event, session, this.key, Date.now()).then((verified) => {
          if (verified !== undefined) void this.#received(verified);
        }),
    });
    this.#inbox = inbox;
    await inbox.open();
  }

  /** The nodes your inbox listens on now. */
  get nodes(): readonly string[] {
    return this.#inbox?.sessions.map((session) => session.url) ?? [];
  }

  /**
   * Calls the person whose key is `peer`: resolves with the call once it is accepted, rejects with
   * CALL_DECLINED, CALL_BUSY, CALL_REFUSED, CALL_UNANSWERED (after `ringMs`), CALL_CANCELLED
   * (`signal` aborted) or PEER_KEY_INVALID.
   */
  call(peer: string, options?: CallOptions): Promise<Call> {
    return placeCall(this.#ctx, peer, options);
  }

  /**
   * Whether `peer` is listening and answers you: its signed `pong` to a signed `ping`, with the
   * nodes its inbox listens on and the round trip; undefined within `timeoutMs` (offline, or it
   * takes calls from contacts only and you are not one, or it blocked you).
   */
  async ping(
    peer: string,
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
    peer: string,
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
   * one paid DHT read per caller.
   */
  missedCalls(callers: readonly string[], since: number): Promise<MissedCall[]> {
    return readMissedCalls(this.#ctx, callers, since);
  }

  /** Stops listening (calls in progress go on in their own rooms, with their own PoW references). */
  close(): void {
    this.#inbox?.close();
    for (const ring of this.#ringing.values()) ring.cancelled();
    this.#ringing.clear();
    this.#ctx.solver.close();
  }

  async #received(verified: VerifiedMessage): Promise<void> {
    const inbox = this.#inbox;
    if (inbox === undefined) return;
    const { message, member } = verified;
    const trusted = this.#options.isContact?.(message.from) ?? false;
    const blocked = this.#options.isBlocked?.(message.from) ?? false;
    const open = !blocked && ((this.#options.acceptFrom ?? 'anyone') === 'anyone' || trusted);
    switch (message.kind) {
      case 'ring': {
        if (!this.#seen.first(`${message.from}/${message.call}`)) return;
        if (!open) {
          await answer(this.#ctx, inbox, member, message.from, message.call, 'refused');
          return;
        }
        const ring = new IncomingRing(this.#ctx, inbox, verified);
        this.#track(ring);
        this.emit('ring', ring);
        return;
      }
      case 'cancel':
        this.#ringing.get(`${message.from}/${message.call}`)?.cancelled();
        return;
      case 'ping':
        // Strangers (when only contacts may call) do not learn whether we are here, or where.
        if (open) await this.#pong(message.from, message.nonce, member, this.nodes.slice(0, 8));
        return;
      case 'request':
        if (blocked || !this.#seen.first(`${message.from}/${message.nonce}`)) return;
        await this.#pong(message.from, message.nonce, member, undefined);
        this.emit('request', {
          from: message.from,
          name: message.name,
          text: message.text,
          at: message.at,
        });
        return;
      default:
        return; // Answers go to a caller's guest channel, not here.
    }
  }

  async #pong(
    to: string,
    nonce: string,
    member: VerifiedMessage['member'],
    nodes: readonly string[] | undefined,
  ): Promise<void> {
    const inbox = this.#inbox;
    if (inbox === undefined) return;
    const pong = await signInboxMessage(
      this.#ctx.identity,
      {
        v: 1,
        kind: 'pong',
        from: this.key,
        at: Date.now(),
        nonce,
        ...(nodes === undefined ? {} : { nodes }),
      },
      to,
    );
    await inbox.post(pong, member).catch(() => undefined);
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
  const shared = new SharedSolver(createPowSolver());
  const solver = shared.take();
  const maxPowDifficulty = options.maxPowDifficulty ?? joinRoomDefaults.maxPowDifficulty;
  const pool = new NodePool({
    nodes: options.nodes,
    memory: new NodeMemory(options.storage),
    solver,
    probeTimeoutMs: options.probeTimeoutMs ?? joinRoomDefaults.probeTimeoutMs,
    maxProbes: joinRoomDefaults.maxProbes,
    maxPowDifficulty,
  });
  const { identity, name, ringMs, missedNotes } = options;
  const ctx: PeopleContext = {
    identity,
    name,
    pool,
    solver,
    ringMs: ringMs ?? peopleDefaults.ringMs,
    joinTimeoutMs: options.joinTimeoutMs ?? joinRoomDefaults.joinTimeoutMs,
    maxPowDifficulty,
    missedNotes: missedNotes ?? true,
    joinCall: (room, secret) =>
      joinKeyedRoom(
        { ...roomOptionsOf(options), room },
        secret.then((bytes) => RoomKey.fromSecret(bytes, options.appId, room)),
        { solver: () => shared.take() },
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
]);
