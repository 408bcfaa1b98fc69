import type { CallMedia, RingMessage } from '@sigmesh/protocol';
import { Emitter } from '../emitter.js';
import { Call } from './call.js';
import { callRoom, CallKeyPair } from './call-secret.js';
import type { InboxChannel } from './inbox-channel.js';
import { signInboxMessage } from './inbox-signing.js';
import type { PeopleContext, VerifiedMessage } from './people-context.js';

/** What an incoming ring tells its listeners. */
export interface IncomingRingEvents {
  /** The caller hung up (or gave up) before an answer: a missed call. */
  cancel: () => void;
  /** This side accepted or declined it. */
  answered: () => void;
}

/** Someone is calling: accept or decline, before the caller gives up. */
export class IncomingRing extends Emitter<IncomingRingEvents> {
  /** The caller's lasting key (raw ed25519, base64url): who it is, proven by its signature. */
  readonly from: string;
  /** The name the caller says it goes by (not proven: show it beside the key's fingerprint). */
  readonly name: string | undefined;
  readonly media: CallMedia;
  /** When the caller rang, Unix ms (its clock). */
  readonly at: number;
  /** The call's id (hex). */
  readonly call: string;
  #state: 'ringing' | 'accepted' | 'declined' | 'cancelled' = 'ringing';
  readonly #ring: RingMessage;
  readonly #member: VerifiedMessage['member'];
  readonly #ctx: PeopleContext;
  readonly #inbox: InboxChannel;

  constructor(ctx: PeopleContext, inbox: InboxChannel, verified: VerifiedMessage) {
    super();
    const ring = verified.message as RingMessage;
    this.from = ring.from;
    this.name = ring.name;
    this.media = ring.media;
    this.at = ring.at;
    this.call = ring.call;
    this.#ring = ring;
    this.#member = verified.member;
    this.#ctx = ctx;
    this.#inbox = inbox;
  }

  /** `ringing` until answered or cancelled. */
  get state(): 'ringing' | 'accepted' | 'declined' | 'cancelled' {
    return this.#state;
  }

  /** Takes the call: answers `accept` and joins the call's room with the caller. */
  async accept(): Promise<Call> {
    this.#answering('accepted');
    const keys = await CallKeyPair.create();
    const self = this.#ctx.identity.publicKey;
    const accept = await signInboxMessage(
      this.#ctx.identity,
      { v: 1, kind: 'accept', from: self, at: Date.now(), call: this.call, eph: keys.publicKey },
      this.from,
    );
    const secret = keys.secret({
      call: this.call,
      caller: this.from,
      callee: self,
      callerEph: this.#ring.eph,
      calleeEph: keys.publicKey,
    });
    // The caller is already in the room, waiting for this answer to seal its hellos.
    const [room] = await Promise.all([
      this.#ctx.joinCall(callRoom(this.call), secret),
      this.#inbox.post(accept, this.#member),
    ]);
    return new Call(this.from, this.call, room);
  }

  /** Refuses the call (`busy`: in another call); the caller's `call` rejects. */
  async decline(reason: 'decline' | 'busy' = 'decline'): Promise<void> {
    this.#answering('declined');
    await answer(this.#ctx, this.#inbox, this.#member, this.from, this.call, reason);
  }

  /** The caller cancelled (inbox message `cancel`). */
  cancelled(): void {
    if (this.#state !== 'ringing') return;
    this.#state = 'cancelled';
    this.emit('cancel');
  }

  #answering(state: 'accepted' | 'declined'): void {
    if (this.#state !== 'ringing') throw new Error(`this ring was already ${this.#state}`);
    this.#state = state;
    this.emit('answered');
  }
}

/** Posts a signed `decline`, `busy` or `refused` for `call` to the caller's member. */
export async function answer(
  ctx: PeopleContext,
  inbox: InboxChannel,
  member: VerifiedMessage['member'],
  caller: string,
  call: string,
  kind: 'decline' | 'busy' | 'refused',
): Promise<void> {
  const message = await signInboxMessage(
    ctx.identity,
    { v: 1, kind, from: ctx.identity.publicKey, at: Date.now(), call },
    caller,
  );
  await inbox.post(message, member);
}
