import { sigmeshError, type CallMedia, type InboxMessage } from '@sigmesh/protocol';
import { Call } from './call.js';
import { callRoom, CallKeyPair, newCallId } from './call-secret.js';
import { helloCarried } from './inbox-channel.js';
import { signInboxMessage } from './inbox-signing.js';
import { leaveMissedNote } from './missed-notes.js';
import { keyOf, openGuestChannel, type PeopleContext, type Reach } from './people-context.js';
import { peopleDefaults } from './people-options.js';

/** Options of `people.call`. */
export interface CallOptions extends Partial<CallMedia> {
  /** Streams to share in the call's room from the start (e.g. your camera). */
  readonly streams?: readonly MediaStream[];
  /** Aborting hangs up before an answer (CALL_CANCELLED). */
  readonly signal?: AbortSignal;
}

const REFUSALS = {
  decline: ['CALL_DECLINED', 'declined the call'],
  busy: ['CALL_BUSY', 'is in another call'],
  refused: ['CALL_REFUSED', 'takes calls from contacts only'],
} as const;

/**
 * Rings `reach` through its inbox (its private one when the card gives one), from one node: the
 * mesh carries the ring to wherever the callee listens. Rings until a signed answer, `ringMs` or
 * `signal`; joins the call's room meanwhile and seals it with the key the answer agrees on.
 * Without an answer the callee is told `cancel` (its missed call) and a note is left.
 */
export async function placeCall(
  ctx: PeopleContext,
  reach: Reach,
  options: CallOptions = {},
): Promise<Call> {
  options.signal?.throwIfAborted();
  const peer = keyOf(reach);
  const keys = await CallKeyPair.create();
  const call = newCallId();
  const self = ctx.identity.publicKey;
  let settle: (answer: InboxMessage | Error) => void = () => undefined;
  const answered = new Promise<InboxMessage | Error>((resolve) => (settle = resolve));
  const ring = await signInboxMessage(
    ctx.identity,
    {
      v: 1,
      kind: 'ring',
      from: self,
      at: Date.now(),
      call,
      eph: keys.publicKey,
      media: { video: options.video ?? true, audio: options.audio ?? true },
      ...(ctx.name === undefined ? {} : { name: ctx.name }),
    },
    peer,
  );
  // The ring rides in the guest's join where the node takes that.
  const channel = await openGuestChannel(ctx, reach, ring, ({ message }) => {
    if ('call' in message && message.call === call && message.kind !== 'ring') settle(message);
  });
  const abort = (): void =>
    settle(sigmeshError('CALL_CANCELLED', 'the call was hung up before an answer'));
  options.signal?.addEventListener('abort', abort);
  const timer = setTimeout(
    () => settle(sigmeshError('CALL_UNANSWERED', `no answer within ${ctx.ringMs} ms`)),
    ctx.ringMs,
  );
  // Joined while it rings; sealed once the answer gives the key (left if none comes).
  let keyed: (secret: Promise<Uint8Array>) => void = () => undefined;
  const secret = new Promise<Uint8Array>((resolve) => (keyed = (value) => resolve(value)));
  secret.catch(() => undefined); // Refused calls reject it; the join sees that.
  const joining = ctx.joinCall(callRoom(call), secret, (room) => {
    for (const stream of options.streams ?? []) room.addStream(stream);
  });
  joining.catch(() => undefined);
  try {
    let done = false;
    void answered.then(() => (done = true));
    void (async () => {
      // Until the nodes are linked nobody hears it: ring again every second until an answer.
      let carried = helloCarried(channel);
      while (!done) {
        if (!carried) await channel.post(ring).catch(() => undefined);
        carried = false;
        await Promise.race([answered, sleep(peopleDefaults.ringRepeatMs)]);
      }
    })();
    const answer = await answered;
    if (answer instanceof Error || answer.kind !== 'accept') {
      keyed(Promise.reject(answer instanceof Error ? answer : new Error(answer.kind)));
      void joining.then(
        (room) => room.leave(),
        () => undefined,
      );
    }
    if (answer instanceof Error) {
      const cancel = await signInboxMessage(
        ctx.identity,
        { v: 1, kind: 'cancel', from: self, at: Date.now(), call },
        peer,
      );
      await channel.post(cancel).catch(() => undefined);
      // For a callee that was not listening: it reads the note when it is back.
      if (ctx.missedNotes) {
        const hidden = typeof reach === 'string' ? undefined : reach.inbox;
        await leaveMissedNote(ctx, peer, call, ring.at, hidden).catch(() => undefined);
      }
      throw answer;
    }
    if (answer.kind !== 'accept') {
      const [code, what] = REFUSALS[answer.kind as keyof typeof REFUSALS] ?? REFUSALS.decline;
      throw sigmeshError(code, `the callee ${what}`);
    }
    keyed(
      keys.secret({
        call,
        caller: self,
        callee: peer,
        callerEph: keys.publicKey,
        calleeEph: answer.eph,
      }),
    );
    return new Call(peer, call, await joining);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', abort);
    channel.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
