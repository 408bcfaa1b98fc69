import { toHex, type PingMessage, type PongMessage, type RequestMessage } from '@sigmesh/protocol';
import { helloCarried, type InboxChannel } from './inbox-channel.js';
import { signInboxMessage } from './inbox-signing.js';
import {
  keyOf,
  openGuestChannel,
  type PeopleContext,
  type Reach,
  type VerifiedMessage,
} from './people-context.js';

/** A `ping` or `request` before its nonce and signature. */
export type Question =
  | Omit<PingMessage, 'sig' | 'nonce' | 'from' | 'at' | 'v'>
  | Omit<RequestMessage, 'sig' | 'nonce' | 'from' | 'at' | 'v'>;

/** What a question got back: the `pong`, and how long after the question started it came. */
export interface Answer {
  readonly pong: PongMessage;
  readonly rttMs: number;
}

/**
 * Asks `reach` a question through its inbox (as a guest on one node), posting it again every
 * second — the nodes may still be linking — until a signed `pong` with its nonce or `timeoutMs`.
 */
export async function ask(
  ctx: PeopleContext,
  reach: Reach,
  question: Question,
  timeoutMs: number,
): Promise<Answer | undefined> {
  const nonce = toHex(crypto.getRandomValues(new Uint8Array(16)));
  let heard: (pong: PongMessage) => void = () => undefined;
  const answered = new Promise<PongMessage>((resolve) => (heard = resolve));
  const deadline = Date.now() + timeoutMs;
  const start = Date.now();
  const signed = await signInboxMessage(
    ctx.identity,
    { ...question, v: 1, from: ctx.identity.publicKey, at: Date.now(), nonce },
    keyOf(reach),
  );
  const channel = await openGuestChannel(ctx, reach, signed, ({ message }) => {
    if (message.kind === 'pong' && message.nonce === nonce) heard(message);
  });
  try {
    let pong: PongMessage | undefined;
    void answered.then((message) => (pong = message));
    // The join carried it where the node takes that; asked again every second until answered.
    let carried = helloCarried(channel);
    while (pong === undefined && Date.now() < deadline) {
      if (!carried) await channel.post(signed).catch(() => undefined);
      carried = false;
      await Promise.race([answered, sleep(Math.max(0, Math.min(1000, deadline - Date.now())))]);
    }
    return pong === undefined ? undefined : { pong, rttMs: Date.now() - start };
  } finally {
    channel.close();
  }
}

/**
 * Answers a `ping` or `request` (its `nonce`) from `to` with a signed `pong` to the member that
 * asked; `nodes`, where we listen, only in answer to a ping. A lost pong is asked for again.
 */
export async function pong(
  ctx: PeopleContext,
  inbox: InboxChannel,
  to: string,
  nonce: string,
  member: VerifiedMessage['member'],
  nodes: readonly string[] | undefined,
): Promise<void> {
  const message = await signInboxMessage(
    ctx.identity,
    {
      v: 1,
      kind: 'pong',
      from: ctx.identity.publicKey,
      at: Date.now(),
      nonce,
      ...(nodes === undefined ? {} : { nodes }),
    },
    to,
  );
  await inbox.post(message, member).catch(() => undefined);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
