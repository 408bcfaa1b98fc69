import type { InboxMessage } from '@sigmesh/protocol';
import type { InboxChannel } from './inbox-channel.js';
import type { VerifiedMessage } from './people-context.js';

/** Answers kept at once; beyond, the oldest is forgotten. */
const MAX_ANSWERS = 64;
/** Times one answer is sent again, at most. */
const MAX_RESENDS = 5;

interface Given {
  readonly message: InboxMessage;
  readonly at: number;
  sentAt: number;
  resent: number;
}

/**
 * The answers (accept, decline, busy, refused) given to rings, kept while their callers may still
 * ring. A caller rings again every `ringRepeatMs` until it hears an answer, so a ring heard again
 * well after the answer went out means the answer was lost on the way (a node restarted, the
 * caller's guest session moved): the same signed answer goes again, to the member that rang this
 * time. Rings that crossed the answer in flight arrive within `spacingMs` and get nothing; each
 * answer goes again at most {@link MAX_RESENDS} times, so a caller cannot make us post without end.
 */
export class AnswerLog {
  readonly #given = new Map<string, Given>();
  readonly #keepMs: number;
  readonly #spacingMs: number;

  constructor(options: { readonly keepMs: number; readonly spacingMs: number }) {
    this.#keepMs = options.keepMs;
    this.#spacingMs = options.spacingMs;
  }

  get size(): number {
    return this.#given.size;
  }

  /** `message` answers the ring `id` (`from/call`), posted at `now`. */
  record(id: string, message: InboxMessage, now: number): void {
    this.#prune(now);
    this.#given.delete(id);
    if (this.#given.size >= MAX_ANSWERS) this.#given.delete(this.#given.keys().next().value!);
    this.#given.set(id, { message, at: now, sentAt: now, resent: 0 });
  }

  /**
   * The ring `id` was heard again on `inbox` from `member` at `now`: posts its answer again, there,
   * when one was given, long enough ago, and not yet sent again too often. Resolves whether it
   * posted.
   */
  async again(
    id: string,
    inbox: InboxChannel,
    member: VerifiedMessage['member'],
    now: number,
  ): Promise<boolean> {
    this.#prune(now);
    const given = this.#given.get(id);
    if (given === undefined || given.resent >= MAX_RESENDS) return false;
    if (now - given.sentAt < this.#spacingMs) return false;
    given.sentAt = now;
    given.resent += 1;
    await inbox.post(given.message, member).catch(() => undefined);
    return true;
  }

  /** Forgets answers older than `keepMs` (insertion order is age order). */
  #prune(now: number): void {
    for (const [id, given] of this.#given) {
      if (now - given.at < this.#keepMs) return;
      this.#given.delete(id);
    }
  }
}
