import {
  parseMessageEvent,
  parsePowWwwAuthenticate,
  parsePostResult,
  applyPresence,
  parsePresenceEvent,
  parseWelcomeEvent,
  sigmeshError,
  SseParser,
  utf8,
  type MessageEvent,
  type PeerId,
  type PowOffer,
  type RoomHash,
  type WelcomeEvent,
} from '@sigmesh/protocol';
import type { PowSolver } from '../pow/pow-solver.js';
import { errorFrom, postPaid, request, timeoutSignal } from './node-http.js';
import type { ProbedNode } from './node-pool.js';

/** What a node's room stream tells its member. */
export interface NodeSessionHandlers {
  join(peerId: PeerId): void;
  leave(peerId: PeerId): void;
  message(event: MessageEvent): void;
  /** The stream ended or failed; the session is dead. */
  closed(session: NodeSession, error: Error | undefined): void;
}

/** Join payments: the probe's challenge, then fresh ones after 401s (the price rose meanwhile). */
const MAX_JOIN_PAYMENTS = 4;
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
  readonly members: ReadonlySet<PeerId>;
  readonly #room: RoomHash;
  readonly #session: string;
  readonly #solver: PowSolver;
  readonly #abort: AbortController;
  #offer: PowOffer;
  #queue: Promise<unknown> = Promise.resolve();
  #queued = 0;
  #closed = false;

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
    this.members = new Set(welcome.members);
    this.#room = room;
    this.#session = welcome.session;
    this.#solver = solver;
    this.#abort = abort;
    this.#offer = welcome.pow;
  }

  /**
   * Pays the join PoW (or uses a `prepaid` token for the probe's challenge), opens the stream
   * and resolves at `welcome`; events then flow to `handlers` until the stream ends. Rejects
   * with the node's error (e.g. ROOM_FULL).
   */
  static async open(
    node: ProbedNode,
    room: RoomHash,
    solver: PowSolver,
    handlers: NodeSessionHandlers,
    timeoutMs: number,
    prepaid?: string,
  ): Promise<NodeSession> {
    const abort = new AbortController();
    const timer = setTimeout(
      () => abort.abort(new Error(`no welcome from ${node.url}`)),
      timeoutMs,
    );
    try {
      let offer: PowOffer = {
        challenge: node.info.pow.challenges['room-join'],
        difficulty: node.info.pow.price,
        scope: 'room-join',
      };
      let response: Response;
      for (let attempt = 0; ; attempt++) {
        const token =
          attempt === 0 && prepaid !== undefined
            ? prepaid
            : await solver.pay(offer, utf8(room), abort.signal);
        response = await request(`${node.url}/room/${room}?pow=${encodeURIComponent(token)}`, {
          headers: { accept: 'text/event-stream' },
          signal: abort.signal,
        });
        if (response.ok || response.status !== 401 || attempt === MAX_JOIN_PAYMENTS - 1) break;
        const fresh = await errorOffer(response);
        if (fresh === undefined) break;
        offer = fresh;
      }
      if (!response.ok || response.body === null) throw await errorFrom(response);
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
      throw error;
    }
  }

  get closed(): boolean {
    return this.#closed;
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
        const answer = await postPaid(
          `${this.url}/room/${this.#room}`,
          body,
          this.#offer,
          this.#solver,
          {
            headers: { 'sigmesh-session': this.#session },
            signal: timeoutSignal(POST_TIMEOUT_MS, this.#abort.signal),
          },
        );
        const result = parsePostResult(answer.json);
        if (result.ok) this.#offer = result.value.next;
      } finally {
        this.#queued--;
      }
    });
    this.#queue = run.catch(() => undefined);
    return run;
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
      if (event.event === 'message') {
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

async function errorOffer(response: Response): Promise<PowOffer | undefined> {
  await response.body?.cancel();
  return parsePowWwwAuthenticate(response.headers.get('www-authenticate'));
}
