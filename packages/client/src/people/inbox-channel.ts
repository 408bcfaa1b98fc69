import { sigmeshError, type MessageEvent, type PeerId, type RoomHash } from '@sigmesh/protocol';
import { asSigmeshError, joinFailure, type NodeFailure } from '../nodes/join-failure.js';
import type { NodePool } from '../nodes/node-pool.js';
import { NodeSession, type NodeSessionHandlers } from '../nodes/node-session.js';
import type { PowSolver } from '../pow/pow-solver.js';
import { SeenIds } from '../signaling/seen-ids.js';

/** How an {@link InboxChannel} joins. */
export interface InboxChannelOptions {
  readonly room: RoomHash;
  readonly pool: Pick<NodePool, 'rank' | 'avoid'>;
  readonly solver: PowSolver;
  /** How many nodes to be joined on. */
  readonly k: number;
  readonly joinTimeoutMs: number;
  readonly maxPowDifficulty: number;
  /** Signs the owner proof (inbox.ts) for a join; without it the inbox is joined as a guest. */
  readonly owner?: (token: string | undefined, nodeId: string) => Promise<string>;
  /**
   * The `data` of a first message, carried in each join on nodes that take it (`join-hello`):
   * a guest's ring or question reaches the owner with the join, without a post after it.
   */
  readonly hello?: unknown;
  /** A message for this member (each message once, whichever node brought it). */
  message(event: MessageEvent, session: NodeSession): void;
}

/** The session a join's messages go to, once it is known. */
interface SessionRef {
  session?: NodeSession;
  readonly early: MessageEvent[];
}

/** Members whose answer route is remembered (the most recent ones). */
const MAX_ROUTES = 1024;

/** The first re-join waits this long after a node is lost, doubling up to the maximum. */
const REJOIN_MS = 1000;
const MAX_REJOIN_MS = 30_000;

/**
 * Membership of one inbox on up to k nodes, as its owner or as a guest: keeps k sessions (joining
 * another node when one is lost), hands each message on once, and posts through the node that
 * brought the addressee's messages (or every node, for a broadcast).
 */
export class InboxChannel {
  readonly #options: InboxChannelOptions;
  readonly #sessions = new Set<NodeSession>();
  /** The session each member's messages came through: where an answer to it goes. */
  readonly #routes = new Map<PeerId, NodeSession>();
  readonly #seen = new SeenIds(1024);
  #closed = false;
  #filling: Promise<void> | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #backoff = REJOIN_MS;

  constructor(options: InboxChannelOptions) {
    this.#options = options;
  }

  /** Joins up to k nodes; resolves once at least one let us in, rejects when none did. */
  async open(): Promise<void> {
    await this.#fill();
  }

  /** Open sessions now. */
  get sessions(): readonly NodeSession[] {
    return [...this.#sessions];
  }

  /**
   * Posts `data` to `to` through the node its messages came through, or, without `to`, through
   * every node (for a guest, that reaches the inbox's owners wherever they listen).
   */
  async post(data: unknown, to?: PeerId): Promise<void> {
    if (to !== undefined) {
      const route = this.#routes.get(to);
      const session = route !== undefined && !route.closed ? route : this.sessions[0];
      if (session === undefined) throw notJoined();
      await session.post(data, to);
      return;
    }
    const sessions = this.sessions;
    if (sessions.length === 0) throw notJoined();
    const results = await Promise.allSettled(sessions.map((session) => session.post(data)));
    if (results.every((result) => result.status === 'rejected'))
      throw (results[0] as PromiseRejectedResult).reason;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    for (const session of this.#sessions) session.close();
    this.#sessions.clear();
    this.#routes.clear();
  }

  #fill(): Promise<void> {
    this.#filling ??= this.#join().finally(() => (this.#filling = undefined));
    return this.#filling;
  }

  async #join(): Promise<void> {
    const { k, pool } = this.#options;
    if (this.#closed || this.#sessions.size >= k) return;
    const joined = new Set(this.sessions.map((session) => session.url));
    // The first node as soon as the configured ones answered; more after a full ranking.
    const ranked = await pool.rank(joined, undefined, this.#sessions.size === 0);
    const failures: NodeFailure[] = [];
    for (const node of ranked) {
      if (this.#closed || this.#sessions.size >= k) break;
      try {
        const ref: SessionRef = { early: [] };
        const session = await NodeSession.open(
          node,
          this.#options.room,
          this.#options.solver,
          this.#handlers(ref),
          {
            timeoutMs: this.#options.joinTimeoutMs,
            maxDifficulty: this.#options.maxPowDifficulty,
            ...(this.#options.owner === undefined ? {} : { owner: this.#options.owner }),
            ...(this.#options.hello === undefined ? {} : { hello: helloBody(this.#options.hello) }),
          },
        );
        if (this.#closed) {
          session.close();
          break;
        }
        this.#sessions.add(session);
        ref.session = session;
        for (const event of ref.early.splice(0)) this.#received(event, session);
      } catch (error) {
        failures.push({ url: node.url, error: asSigmeshError(error) });
        pool.avoid(node.url);
      }
    }
    if (this.#sessions.size === 0 && !this.#closed) throw joinFailure(failures);
  }

  #handlers(ref: SessionRef): NodeSessionHandlers {
    return {
      join: () => undefined,
      leave: () => undefined,
      // Events in the welcome's read come before open() resolves: kept until it does.
      message: (event) =>
        ref.session === undefined ? ref.early.push(event) : this.#received(event, ref.session),
      bye: (session) => this.#lost(session),
      closed: (session) => this.#lost(session),
    };
  }

  #received(event: MessageEvent, session: NodeSession): void {
    if (this.#closed || !this.#seen.first(event.id)) return;
    if (this.#routes.size >= MAX_ROUTES && !this.#routes.has(event.from)) {
      const oldest = this.#routes.keys().next().value;
      if (oldest !== undefined) this.#routes.delete(oldest);
    }
    this.#routes.delete(event.from);
    this.#routes.set(event.from, session);
    this.#options.message(event, session);
  }

  #lost(session: NodeSession): void {
    session.close();
    if (!this.#sessions.delete(session) || this.#closed) return;
    for (const [member, route] of this.#routes) if (route === session) this.#routes.delete(member);
    this.#scheduleRefill();
  }

  #scheduleRefill(): void {
    if (this.#retry !== undefined || this.#closed) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#fill().then(
        () => {
          this.#backoff = REJOIN_MS;
          if (this.#sessions.size < this.#options.k) this.#scheduleRefill();
        },
        () => {
          this.#backoff = Math.min(this.#backoff * 2, MAX_REJOIN_MS);
          this.#scheduleRefill();
        },
      );
    }, this.#backoff);
  }
}

/** A join's hello: the post body of `data` (no `to`: it goes to the inbox's owners). */
function helloBody(data: unknown): () => Promise<string> {
  const body = JSON.stringify({ data });
  return () => Promise.resolve(body);
}

/** True when every session's join carried its hello (nothing to post after it). */
export function helloCarried(channel: InboxChannel): boolean {
  return channel.sessions.length > 0 && channel.sessions.every((session) => session.helloCarried);
}

function notJoined(): Error {
  return sigmeshError('NODE_UNREACHABLE', 'the inbox is joined on no node right now');
}
