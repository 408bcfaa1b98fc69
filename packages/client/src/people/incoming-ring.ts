import type { CallMedia, InboxMessage, RingMessage } from '@sigmesh/protocol';
import { Emitter } from '../emitter.js';
import type { Room } from '../room.js';
import { Call } from './call.js';
import { callRoom, CallKeyPair } from './call-secret.js';
import type { InboxChannel } from './inbox-channel.js';
import { signInboxMessage } from './inbox-signing.js';
import type { PeopleContext, VerifiedMessage } from './people-context.js';

/** Options of `ring.accept`. */
export interface AnswerOptions {
  /** Streams to share in the call's room from the start (e.g. your camera). */
  readonly streams?: readonly MediaStream[];
}

/** A call's room joined while it rings. */
interface EarlyJoin {
  readonly room: Promise<Room>;
  /** Gives the room its key (on accept), or a rejection (the join leaves). */
  readonly keyed: (secret: Promise<Uint8Array>) => void;
  /** The room as soon as it exists, before it is joined and keyed. */
  made?: Room;
  /** Shares the accept's streams in the room (set on accept). */
  share?: (room: Room) => void;
}

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
  /** This side's ephemeral key, made on ring when the room is joined early. */
  #keys: Promise<CallKeyPair> | undefined;
  /** The call's room, joined while it rings (a contact's ring), keyed on accept. */
  #early: EarlyJoin | undefined;
  /** Told each answer before it is posted (to send it again should the caller ring again). */
  readonly #sent: ((answer: InboxMessage) => void) | undefined;

  /**
   * `early`: join the call's room now, while it rings, so an accept finds the room joined (the
   * caller is in it already) and only the key is left to agree on. The key waits for the accept;
   * a decline, a cancel or an expiry leaves the room unkeyed. `sent` is told each answer before it
   * is posted.
   */
  constructor(
    ctx: PeopleContext,
    inbox: InboxChannel,
    verified: VerifiedMessage,
    options: { readonly early?: boolean; readonly sent?: (answer: InboxMessage) => void } = {},
  ) {
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
    this.#sent = options.sent;
    if (options.early === true) this.#joinEarly();
  }

  /** `ringing` until answered or cancelled. */
  get state(): 'ringing' | 'accepted' | 'declined' | 'cancelled' {
    return this.#state;
  }

  /**
   * Takes the call: answers `accept` and joins the call's room with the caller. `streams` are
   * shared in the room from the start, so the caller gets them as soon as it connects.
   */
  async accept(options: AnswerOptions = {}): Promise<Call> {
    this.#answering('accepted');
    const keys = await (this.#keys ?? CallKeyPair.create());
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
    const share = (room: Room): void => {
      for (const stream of options.streams ?? []) room.addStream(stream);
    };
    const join = (): Promise<Room> => this.#ctx.joinCall(callRoom(this.call), secret, share);
    let joining: Promise<Room>;
    if (this.#early === undefined) joining = join();
    else {
      this.#early.share = share;
      const made = this.#early.made;
      if (made !== undefined && !made.left) share(made);
      this.#early.keyed(secret);
      // Should the early join have failed (a node gone, the price risen), join now.
      joining = this.#early.room.catch(join);
    }
    // The caller is already in the room, waiting for this answer to seal its hellos. Should the
    // post fail (the caller's guest session moved, a node refused it), the caller rings again
    // and is answered again (`sent`): the call is accepted either way, and the room is ours.
    this.#sent?.(accept);
    const [room] = await Promise.all([joining, postAnswer(this.#inbox, accept, this.#member)]);
    return new Call(this.from, this.call, room);
  }

  /** Refuses the call (`busy`: in another call); the caller's `call` rejects. */
  async decline(reason: 'decline' | 'busy' = 'decline'): Promise<void> {
    this.#answering('declined');
    this.#leaveEarly();
    await answer(this.#ctx, this.#inbox, this.#member, this.from, this.call, reason, this.#sent);
  }

  /** The caller cancelled (inbox message `cancel`). */
  cancelled(): void {
    if (this.#state !== 'ringing') return;
    this.#state = 'cancelled';
    this.#leaveEarly();
    this.emit('cancel');
  }

  #joinEarly(): void {
    this.#keys = CallKeyPair.create();
    let keyed: (secret: Promise<Uint8Array>) => void = () => undefined;
    const secret = new Promise<Uint8Array>((resolve) => (keyed = resolve));
    const early: Pick<EarlyJoin, 'made' | 'share'> = {};
    const room = this.#ctx.joinCall(callRoom(this.call), secret, (made) => {
      early.made = made;
      early.share?.(made); // Accepted before the room was made.
    });
    // A ring that is not accepted rejects the key: the join leaves (or never finishes) by itself.
    room.catch(() => undefined);
    this.#keys.catch(() => undefined);
    this.#early = Object.assign(early, { room, keyed });
  }

  #leaveEarly(): void {
    this.#early?.keyed(Promise.reject(new Error('the call was not accepted')));
  }

  #answering(state: 'accepted' | 'declined'): void {
    if (this.#state !== 'ringing') throw new Error(`this ring was already ${this.#state}`);
    this.#state = state;
    this.emit('answered');
  }
}

/**
 * Posts a signed `decline`, `busy` or `refused` for `call` to the caller's member; `sent` is told
 * the answer before it is posted. A failed post is not an error: the caller rings again until it
 * hears an answer, and is answered again.
 */
export async function answer(
  ctx: PeopleContext,
  inbox: InboxChannel,
  member: VerifiedMessage['member'],
  caller: string,
  call: string,
  kind: 'decline' | 'busy' | 'refused',
  sent?: (answer: InboxMessage) => void,
): Promise<void> {
  const message = await signInboxMessage(
    ctx.identity,
    { v: 1, kind, from: ctx.identity.publicKey, at: Date.now(), call },
    caller,
  );
  sent?.(message);
  await postAnswer(inbox, message, member);
}

/** Posts an answer to the caller's member; a failure is left to the caller's next ring. */
async function postAnswer(
  inbox: InboxChannel,
  message: InboxMessage,
  member: VerifiedMessage['member'],
): Promise<void> {
  await inbox.post(message, member).catch(() => undefined);
}
