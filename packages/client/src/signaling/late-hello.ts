import type { PeerId } from '@sigmesh/protocol';

/** How long after a member's presence join we wait for anything from it before greeting it. */
export const LATE_HELLO_DELAY_MS = 50;
/** Members remembered as heard from or greeted, at most (beyond, greetings may repeat). */
const MAX_REMEMBERED = 4096;

/**
 * Greets members whose hello did not come. A hello said in the turn its member joins (carried
 * in the join: issue 13 part 4) reaches the members of nodes already linked for the room; when
 * two nodes open a room at the same moment, each newcomer's hello can leave before the nodes
 * know they share it, and neither client hears of the other (until a redundant join, a second
 * later). Presence still arrives once the nodes are linked: when a member joins and nothing from
 * it has arrived `delayMs` later, we send it our hello, which asks for its own. In the usual
 * case its hello comes right behind its presence, and nothing more is sent.
 */
export class LateHello {
  readonly #heard = new Set<PeerId>();
  readonly #greeted = new Set<PeerId>();
  readonly #options: LateHelloOptions;

  constructor(options: LateHelloOptions) {
    this.#options = options;
  }

  /** Something arrived from `member` (its hello, or anything it sent before it). */
  heard(member: PeerId): void {
    if (this.#heard.size < MAX_REMEMBERED) this.#heard.add(member);
  }

  /** True when we sent `member` our hello unasked: its hello back needs no reply. */
  greeted(member: PeerId): boolean {
    return this.#greeted.has(member);
  }

  /** `member` joined (its presence): greet it unless we hear from it within the delay. */
  joined(member: PeerId): void {
    const timer = setTimeout(() => {
      const options = this.#options;
      if (
        options.stopped() ||
        options.known(member) ||
        this.#heard.has(member) ||
        this.#greeted.has(member)
      )
        return;
      if (this.#greeted.size < MAX_REMEMBERED) this.#greeted.add(member);
      options.greet(member);
    }, this.#options.delayMs ?? LATE_HELLO_DELAY_MS);
    (timer as { unref?: () => void }).unref?.();
  }

  /** `member` left. */
  forget(member: PeerId): void {
    this.#heard.delete(member);
    this.#greeted.delete(member);
  }
}

export interface LateHelloOptions {
  readonly delayMs?: number;
  /** True when `member` is placed already (its hello verified). */
  known(member: PeerId): boolean;
  /** Sends our hello to `member`, asking for its own. */
  greet(member: PeerId): void;
  stopped(): boolean;
}
