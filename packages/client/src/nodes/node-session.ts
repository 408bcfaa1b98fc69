import {
  joinMemberId,
  parseByeEvent,
  parseMessageEvent,
  parsePostResult,
  applyPresence,
  parsePresenceEvent,
  parseWelcomeEvent,
  sigmeshError,
  SseParser,
  utf8,
  type ByeEvent,
  type MessageEvent,
  type PeerId,
  type PowOffer,
  type RoomHash,
  type SigmeshError,
  type WelcomeEvent,
} from '@sigmesh/protocol';
import type { PowSolver } from '../pow/pow-solver.js';
import { request, timeoutSignal } from './node-http.js';
import { paidRequest, postPaid } from './paid-request.js';
import {
  probedOffer,
  takesJoinHello,
  takesPlainPosts,
  takesRoomBoundPosts,
  type ProbedNode,
} from './node-pool.js';
import { SparePostToken } from './spare-post-token.js';

/** What a node's room stream tells its member. */
export interface NodeSessionHandlers {
  join(peerId: PeerId): void;
  leave(peerId: PeerId): void;
  message(event: MessageEvent): void;
  /** The node is stopping: join elsewhere, then close this session (the node closes it later). */
  bye(session: NodeSession, event: ByeEvent): void;
  /** The stream ended or failed; the session is dead. */
  closed(session: NodeSession, error: Error | undefined): void;
}

/** How one node is joined. */
export interface JoinOptions {
  /** The whole join (PoW, re-payments, waits for Retry-After) must be done within this. */
  readonly timeoutMs: number;
  /** The most expected hashes to pay for one request. */
  readonly maxDifficulty: number;
  /** A token already paid for the probe's room-join challenge (a pre-solved spare). */
  readonly prepaid?: string;
  /**
   * Called once, when the join's proof-of-work is paid and the request is on its way: the PoW
   * worker is free while the node answers (not called for a `prepaid` join).
   */
  readonly paid?: () => void;
  /**
   * The body of a first post (`{"data":…}`) to carry in the join, on a node that lists
   * `join-hello`: called with the member id the join's token gives ({@link joinMemberId}), so a
   * hello can be signed for it before the welcome; undefined carries none.
   */
  readonly hello?: (memberId: PeerId) => Promise<string | undefined>;
  /**
   * For an inbox's owner: the `owner` proof (inbox.ts) for the join's token and the node's id,
   * signed by the inbox's key. Without it an inbox is joined as a guest.
   */
  readonly owner?: (token: string | undefined, nodeId: string) => Promise<string>;
}

/** A join URL longer than this carries no hello (the node's request-head limit is 16 KiB). */
const MAX_JOIN_URL_CHARS = 4096;

/** A post (PoW included) not answered in this time fails, and the next one goes ahead. */
const POST_TIMEOUT_MS = 10_000;
/** Posts queued on one node beyond this are refused (the app is sending faster than PoW allows). */
const MAX_QUEUED_POSTS = 256;

/**
 * Membership of one room on one node: the event stream (joined with PoW) and a queue of posts,
 * one in flight at a time, each paying the challenge the previous answer offered.
 */
export class NodeSession {
  readonly url: string;
  /** What the probe of `/` said when we chose this node. */
  readonly probe: ProbedNode;
  readonly nodeId: string;
  readonly memberId: PeerId;
  readonly maxMessageBytes: number;
  /** In an inbox, how this member is in it (the welcome's `role`). */
  readonly role: WelcomeEvent['role'];
  readonly members: ReadonlySet<PeerId>;
  readonly #room: RoomHash;
  readonly #session: string;
  readonly #solver: PowSolver;
  readonly #abort: AbortController;
  #offer: PowOffer;
  /** The next post's proof, solved ahead, where the node takes room-bound posts. */
  readonly #spare: SparePostToken | undefined;
  /** What a room-bound post's proof binds: the room hash's 40 characters (encoded once). */
  readonly #roomBound: Uint8Array;
  #queue: Promise<unknown> = Promise.resolve();
  #queued = 0;
  #closed = false;
  readonly #helloCarried: boolean;

  private constructor(
    node: ProbedNode,
    room: RoomHash,
    welcome: WelcomeEvent,
    solver: PowSolver,
    abort: AbortController,
  ) {
    this.url = node.url;
    this.probe = node;
    this.nodeId = welcome.nodeId;
    this.memberId = welcome.peerId;
    this.maxMessageBytes = node.info.limits.maxMessageBytes;
    this.role = welcome.role;
    this.members = new Set(welcome.members);
    this.#room = room;
    this.#session = welcome.session;
    this.#solver = solver;
    this.#abort = abort;
    this.#offer = welcome.pow;
    this.#roomBound = utf8(room);
    if (takesRoomBoundPosts(node)) {
      this.#spare = new SparePostToken(solver, this.#roomBound, abort.signal);
      this.#spare.prepare(welcome.pow);
    }
    this.#helloCarried = welcome.hello !== undefined;
  }

  /**
   * Pays the join PoW (or uses a `prepaid` token for the probe's challenge), re-paying a price
   * that rose and waiting out a Retry-After that fits, within `options.timeoutMs`; opens the
   * stream and resolves at `welcome`; events then flow to `handlers` until the stream ends.
   * Rejects with the node's refusal (e.g. ROOM_FULL, or the last one it answered when time ran
   * out), or NODE_UNREACHABLE when it did not answer at all.
   */
  static async open(
    node: ProbedNode,
    room: RoomHash,
    solver: PowSolver,
    handlers: NodeSessionHandlers,
    options: JoinOptions,
  ): Promise<NodeSession> {
    const abort = new AbortController();
    let timedOut = false;
    let lastRefusal: SigmeshError | undefined;
    let paying: number | undefined;
    let notifyPaid = (): void => {
      notifyPaid = () => undefined;
      options.paid?.();
    };
    // Knowing whether time ran out while paying tells a price too high for our hash rate from
    // a node that stopped answering.
    const payer: PowSolver = {
      get hashesPerSecond() {
        return solver.hashesPerSecond;
      },
      close: () => solver.close(),
      pay: async (offer, bound, signal) => {
        paying = offer.difficulty;
        try {
          const token = await solver.pay(offer, bound, signal);
          notifyPaid();
          return token;
        } finally {
          paying = undefined;
        }
      },
    };
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort(new Error(`no welcome from ${node.url}`));
    }, options.timeoutMs);
    try {
      const response = await paidRequest(
        async (token) =>
          request(await joinUrl(node, room, token, options), {
            headers: { accept: 'text/event-stream' },
            signal: abort.signal,
          }),
        utf8(room),
        probedOffer(node, 'room-join'),
        payer,
        {
          deadline: Date.now() + options.timeoutMs,
          signal: abort.signal,
          maxDifficulty: options.maxDifficulty,
          onRefusal: (error) => (lastRefusal = error),
          ...(options.prepaid === undefined ? {} : { prepaid: options.prepaid }),
        },
      );
      if (response.body === null)
        throw sigmeshError('NODE_UNREACHABLE', `${node.url} sent no room stream`);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new SseParser(64 * 1024);
      const pending: Array<{ event: string; data: string }> = [];
      let welcome: WelcomeEvent | undefined;
      while (welcome === undefined) {
        const { value, done } = await reader.read();
        if (done) throw sigmeshError('NODE_UNREACHABLE', `${node.url} closed the room stream`);
        pending.push(...parser.feed(value));
        const first = pending.shift();
        if (first === undefined) continue;
        const parsed =
          first.event === 'welcome' ? parseWelcomeEvent(JSON.parse(first.data)) : undefined;
        if (parsed?.ok !== true)
          throw sigmeshError('NODE_UNREACHABLE', `${node.url} sent no valid welcome`);
        welcome = parsed.value;
      }
      clearTimeout(timer);
      const session = new NodeSession(node, room, welcome, solver, abort);
      session.#pump(reader, parser, pending, handlers);
      return session;
    } catch (error) {
      clearTimeout(timer);
      abort.abort();
      if (!timedOut) throw error;
      // Out of time: say what the node last answered (it is not unreachable if it answered).
      if (paying !== undefined)
        throw sigmeshError(
          'POW_TOO_EXPENSIVE',
          `${paying} hashes for ${node.url} could not be paid within ${options.timeoutMs} ms${lastRefusal === undefined ? '' : ` (it last said ${lastRefusal.code})`}`,
        );
      if (lastRefusal !== undefined)
        throw sigmeshError(
          lastRefusal.code,
          `${lastRefusal.message} (still so after ${options.timeoutMs} ms)`,
          lastRefusal.retryAfter === undefined ? {} : { retryAfter: lastRefusal.retryAfter },
        );
      throw sigmeshError(
        'NODE_UNREACHABLE',
        `${node.url} did not answer the join within ${options.timeoutMs} ms`,
      );
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** True when the node published the hello the join carried (its welcome names the message). */
  get helloCarried(): boolean {
    return this.#helloCarried;
  }

  /** Posts `data` to the room (or to one member); resolves when the node accepted it. */
  post(data: unknown, to?: PeerId): Promise<void> {
    if (this.#closed) return Promise.reject(sigmeshError('NODE_UNREACHABLE', `left ${this.url}`));
    if (this.#queued >= MAX_QUEUED_POSTS)
      return Promise.reject(
        sigmeshError('RATE_LIMITED', `more than ${MAX_QUEUED_POSTS} posts queued for ${this.url}`),
      );
    this.#queued++;
    const body = JSON.stringify(to === undefined ? { data } : { data, to });
    const run = this.#queue.then(async () => {
      try {
        // Waits for the spare if it is still being solved: the same work, started earlier.
        const prepaid = await this.#spare?.take(this.#offer);
        const answer = await postPaid(
          `${this.url}/room/${this.#room}`,
          body,
          this.#offer,
          this.#solver,
          {
            session: this.#session,
            plain: takesPlainPosts(this.probe),
            ...(this.#spare === undefined ? {} : { bound: this.#roomBound }),
            ...(prepaid === undefined ? {} : { prepaid }),
            signal: timeoutSignal(POST_TIMEOUT_MS, this.#abort.signal),
            deadline: Date.now() + POST_TIMEOUT_MS,
            maxDifficulty: Number.MAX_SAFE_INTEGER,
          },
        );
        const result = parsePostResult(answer.json);
        if (result.ok) {
          this.#offer = result.value.next;
          this.#spare?.prepare(this.#offer);
        }
      } finally {
        this.#queued--;
      }
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** The room this session is a member of. */
  get room(): RoomHash {
    return this.#room;
  }

  /**
   * The secret binding requests to this member: sent as `Sigmesh-Session` with posts, and with
   * `/token` so the node charges this member's own allowance, not only its address's.
   */
  get sessionToken(): string {
    return this.#session;
  }

  /** The difficulty this node asks of our next post: how expensive it has become for us. */
  get price(): number {
    return this.#offer.difficulty;
  }

  /** Leaves the room on this node (closing the stream is how a member leaves). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
  }

  #pump(
    reader: ReadableStreamDefaultReader<string>,
    parser: SseParser,
    pending: Array<{ event: string; data: string }>,
    handlers: NodeSessionHandlers,
  ): void {
    const members = this.members as Set<PeerId>;
    const dispatch = (event: { event: string; data: string }): void => {
      let json: unknown;
      try {
        json = JSON.parse(event.data);
      } catch {
        return;
      }
      if (event.event === 'bye') {
        const bye = parseByeEvent(json);
        if (bye.ok && !this.#closed) handlers.bye(this, bye.value);
      } else if (event.event === 'message') {
        const message = parseMessageEvent(json);
        if (message.ok) handlers.message(message.value);
      } else if (event.event === 'presence') {
        const presence = parsePresenceEvent(json);
        if (!presence.ok) return;
        const change = presence.value;
        if ('members' in change) {
          // A resync: the whole list replaces ours; tell who came and went.
          const before = new Set(members);
          applyPresence(members, change);
          for (const peerId of before) if (!members.has(peerId)) handlers.leave(peerId);
          for (const peerId of members) if (!before.has(peerId)) handlers.join(peerId);
          return;
        }
        for (const peerId of change.leave) if (members.delete(peerId)) handlers.leave(peerId);
        for (const peerId of change.join) {
          if (members.has(peerId)) continue;
          members.add(peerId);
          handlers.join(peerId);
        }
      }
    };
    const run = async (): Promise<Error | undefined> => {
      for (const event of pending.splice(0)) dispatch(event);
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return sigmeshError('NODE_UNREACHABLE', `${this.url} ended the room stream`);
        for (const event of parser.feed(value)) dispatch(event);
      }
    };
    void run()
      .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))))
      .then((error) => {
        const wasOpen = !this.#closed;
        this.#closed = true;
        this.#abort.abort();
        handlers.closed(this, wasOpen ? error : undefined);
      });
  }
}

/**
 * `GET /room/HASH` with the join's token, and the hello for the member id that token gives
 * when the node takes one (and the URL stays short).
 */
async function joinUrl(
  node: ProbedNode,
  room: RoomHash,
  token: string | undefined,
  { hello, owner }: Pick<JoinOptions, 'hello' | 'owner'>,
): Promise<string> {
  const base = `${node.url}/room/${room}`;
  if (owner !== undefined) {
    const proof = encodeURIComponent(await owner(token, node.info.node.id));
    return token === undefined
      ? `${base}?owner=${proof}`
      : `${base}?pow=${encodeURIComponent(token)}&owner=${proof}`;
  }
  if (token === undefined) return base;
  const paid = `${base}?pow=${encodeURIComponent(token)}`;
  if (hello === undefined || !takesJoinHello(node)) return paid;
  const body = await hello(joinMemberId(token));
  if (body === undefined) return paid;
  const url = `${paid}&hello=${encodeURIComponent(body)}`;
  return url.length <= MAX_JOIN_URL_CHARS ? url : paid;
}
