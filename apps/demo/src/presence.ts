import type { PeerPresence } from '@sigmesh/client';

/** Contacts are pinged this often while the page is visible. */
export const PRESENCE_INTERVAL_MS = 30_000;
/** At most this many pings at once (each opens a guest channel on a node and pays its PoW). */
export const MAX_PINGS_IN_FLIGHT = 3;

export type PresenceState =
  | { readonly status: 'unknown' }
  | { readonly status: 'checking'; readonly was: 'online' | 'offline' | 'unknown' }
  | { readonly status: 'online'; readonly rttMs: number; readonly nodes: readonly string[] }
  | { readonly status: 'offline' };

export interface PresenceOptions {
  /** Where the person listens, or undefined when it did not answer. */
  readonly ping: (key: string) => Promise<PeerPresence | undefined>;
  /** Whom to ping on each round: the contacts. */
  readonly keys: () => readonly string[];
  readonly changed: (key: string) => void;
  /** The person answered at `at`. */
  readonly seen: (key: string, at: number) => void;
}

/**
 * Who of the contacts is online, from `people.ping`: every 30 s while the page is visible (and at
 * once when it becomes visible again), at most 3 pings in flight, each key once at a time.
 */
export class Presence {
  readonly #options: PresenceOptions;
  readonly #states = new Map<string, PresenceState>();
  readonly #queue: string[] = [];
  readonly #inFlight = new Set<string>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #onVisibility = (): void => {
    if (document.visibilityState === 'visible') this.refresh();
  };

  constructor(options: PresenceOptions) {
    this.#options = options;
  }

  state(key: string): PresenceState {
    return this.#states.get(key) ?? { status: 'unknown' };
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      if (document.visibilityState === 'visible') this.refresh();
    }, PRESENCE_INTERVAL_MS);
    document.addEventListener('visibilitychange', this.#onVisibility);
    this.refresh();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    document.removeEventListener('visibilitychange', this.#onVisibility);
  }

  /** Queues a ping of `keys` (default: every contact). */
  refresh(keys: readonly string[] = this.#options.keys()): void {
    for (const key of keys)
      if (!this.#queue.includes(key) && !this.#inFlight.has(key)) this.#queue.push(key);
    this.#pump();
  }

  forget(key: string): void {
    this.#states.delete(key);
  }

  #pump(): void {
    while (this.#inFlight.size < MAX_PINGS_IN_FLIGHT && this.#queue.length > 0) {
      const key = this.#queue.shift();
      if (key === undefined) return;
      void this.#ping(key);
    }
  }

  async #ping(key: string): Promise<void> {
    this.#inFlight.add(key);
    const before = this.state(key);
    const was = before.status === 'checking' ? before.was : before.status;
    this.#set(key, { status: 'checking', was });
    let answer: PeerPresence | undefined;
    try {
      answer = await this.#options.ping(key);
    } catch {
      answer = undefined;
    }
    this.#inFlight.delete(key);
    if (answer !== undefined) {
      this.#options.seen(key, Date.now());
      this.#set(key, { status: 'online', rttMs: answer.rttMs, nodes: answer.nodes });
    } else this.#set(key, { status: 'offline' });
    this.#pump();
  }

  #set(key: string, state: PresenceState): void {
    this.#states.set(key, state);
    this.#options.changed(key);
  }
}
