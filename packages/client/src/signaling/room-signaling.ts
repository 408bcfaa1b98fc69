import {
  sigmeshError,
  type ByeEvent,
  type ClientId,
  type MessageEvent,
  type PeerId,
  type PeerSignal,
  type RoomPayload,
  type SignalPayload,
} from '@sigmesh/protocol';
import { joinFailure } from '../nodes/join-failure.js';
import type { ProbedNode } from '../nodes/node-pool.js';
import { NodeSession } from '../nodes/node-session.js';
import { peerIdentityOf } from '../identity/peer-identity.js';
import { verifyHello } from './client-identity.js';
import { MemberDirectory } from './member-directory.js';
import { PayloadCodec, type PayloadCodecStats } from './payload-codec.js';
import type { RoomSignalingOptions, SignalingHandlers } from './room-signaling-options.js';
import { SpareJoin } from './spare-join.js';
import { fillSessions, REDUNDANT_JOIN_DELAY_MS } from './fill-sessions.js';
import { joinHelloBody } from './join-hello.js';
import { LateHello } from './late-hello.js';
import { RejoinBackoff } from './rejoin-backoff.js';
import { SeenIds } from './seen-ids.js';

/**
 * Signaling refusals by reason — `unauthentic` (also reported as `SIGNAL_UNAUTHENTIC`, once per
 * member), `replayed`, `stale`, `overflow` (sealed boxes not fresh, counted only) — and what the
 * bounded buffers hold.
 */
export interface SignalingStats extends PayloadCodecStats {
  readonly refused: PayloadCodecStats['refused'] & { readonly unauthentic: number };
}

const PRICE_CHECK_MS = 30_000;
/** Pauses before sending signals again when no route worked. */
const SIGNAL_RETRY_MS = [500, 1000, 2000];

/**
 * The client's presence in one room across k nodes: joins them, says a signed hello on each,
 * maps other members to the clients they prove to be, dedupes what arrives on several nodes,
 * seals and splits outgoing payloads, routes signals to a client through whichever of our nodes
 * and its members works, and re-joins elsewhere when a node dies.
 */
export class RoomSignaling {
  readonly #options: RoomSignalingOptions;
  readonly #handlers: SignalingHandlers;
  readonly #sessions = new Map<string, NodeSession>();
  /** Sessions on nodes that said `bye`: still used while their replacement joins, then closed. */
  readonly #leaving = new Set<NodeSession>();
  readonly #directory = new MemberDirectory();
  readonly #codec: PayloadCodec;
  readonly #repliedTo = new Set<ClientId>();
  readonly #seen = new SeenIds();
  readonly #reported = new Set<PeerId>();
  #unauthentic = 0;
  #incoming: Promise<void> = Promise.resolve();
  readonly #rejoin = new RejoinBackoff(
    () => this.#fill(),
    () => this.#active >= this.#options.k,
  );
  #priceTimer: ReturnType<typeof setInterval> | undefined;
  #stopped = false;
  #firstJoined: (() => void) | undefined;
  readonly #spare = new SpareJoin();
  readonly #lateHello = new LateHello({
    known: (member) => this.#directory.has(member),
    greet: (member) => void this.#helloTo(member, false),
    stopped: () => this.#stopped,
  });

  constructor(options: RoomSignalingOptions) {
    this.#options = options;
    this.#handlers = options.handlers;
    this.#codec = new PayloadCodec(options.room, options.key, options.payloads);
  }

  /** Sessions not on their way out: what counts towards k. */
  get #active(): number {
    return this.#sessions.size - this.#leaving.size;
  }

  /** URLs of the nodes joined now. */
  get nodes(): string[] {
    return [...this.#sessions.keys()];
  }

  /** What signaling refused (by reason) and holds now. */
  stats(): SignalingStats {
    const stats = this.#codec.stats();
    return { ...stats, refused: { ...stats.refused, unauthentic: this.#unauthentic } };
  }

  /** Joins up to k nodes; resolves once at least one accepted us. */
  async start(): Promise<void> {
    const filled = this.#fill();
    filled.catch(() => undefined);
    await Promise.race([filled, new Promise<void>((resolve) => (this.#firstJoined = resolve))]);
    if (this.#active === 0) await filled;
    if (this.#active === 0) throw joinFailure([]);
    this.#priceTimer = setInterval(() => {
      this.#checkPrices();
      // Releases split payloads and remembered boxes that expired while the room was quiet.
      this.#codec.sweep();
    }, PRICE_CHECK_MS);
    unref(this.#priceTimer);
  }

  /**
   * Sends signals to a client through the first route that works (same node first). When none
   * works, tries again after 0.5, 1 and 2 s (a node may be re-joining, a price settling), since a
   * lost offer or answer would stall the negotiation.
   */
  async sendSignals(id: ClientId, signals: readonly PeerSignal[]): Promise<void> {
    const payload: RoomPayload = { v: 1, kind: 'signal', id: this.#options.identity.id, signals };
    let last: unknown;
    for (const pause of [0, ...SIGNAL_RETRY_MS]) {
      if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
      if (this.#stopped || !this.#directory.hasClient(id)) break;
      for (const [session, member] of this.#routes(id)) {
        try {
          await this.#post(session, payload, member);
          return;
        } catch (error) {
          last = error;
        }
      }
    }
    throw last instanceof Error
      ? last
      : sigmeshError('ROOM_PEER_NOT_FOUND', `no route to client ${id}`);
  }

  /** (our session, their member) pairs that reach a client, those on one node first. */
  #routes(id: ClientId): Array<[NodeSession, PeerId]> {
    const routes: Array<[NodeSession, PeerId]> = [];
    for (const { member, node } of this.#directory.membersOf(id)) {
      for (const session of this.#sessions.values()) {
        if (session.closed) continue;
        if (session.nodeId === node) routes.unshift([session, member]);
        else routes.push([session, member]);
      }
    }
    return routes;
  }

  stop(): void {
    this.#stopped = true;
    this.#leaving.clear();
    this.#rejoin.stop();
    clearInterval(this.#priceTimer);
    for (const session of this.#sessions.values()) session.close();
    this.#sessions.clear();
  }

  /** Joins ranked nodes until k sessions are open or the candidates run out. */
  #fill(): Promise<void> {
    return fillSessions({
      k: this.#options.k,
      room: this.#options.room,
      pool: this.#options.pool,
      solver: this.#options.solver,
      spare: this.#spare,
      active: () => this.#active,
      joinedUrls: () => new Set(this.#sessions.keys()),
      stopped: () => this.#stopped,
      settle: () => new Promise((resolve) => setTimeout(resolve, REDUNDANT_JOIN_DELAY_MS)),
      join: (node, prepaid) => this.#join(node, prepaid),
    });
  }

  async #join(node: ProbedNode, prepaid?: string): Promise<void> {
    const session = await NodeSession.open(
      node,
      this.#options.room,
      this.#options.solver,
      {
        join: (peerId) => {
          if (!this.#isOwnMember(peerId)) this.#lateHello.joined(peerId);
        },
        leave: (peerId) => this.#memberLeft(peerId),
        message: (event) => this.#enqueue(event),
        bye: (leaving, event) => this.#bye(leaving, event),
        closed: (closed, error) => this.#sessionClosed(closed, error),
      },
      {
        timeoutMs: this.#options.joinTimeoutMs,
        maxDifficulty: this.#options.maxPowDifficulty,
        ...(prepaid === undefined ? {} : { prepaid }),
        paid: () => this.#handlers.joinPaid(node),
        hello: (memberId) =>
          joinHelloBody(
            this.#options.identity,
            this.#codec,
            this.#options.room,
            node.info.node.id,
            memberId,
            node.info.limits.maxMessageBytes,
          ),
      },
    );
    if (this.#stopped) {
      session.close();
      return;
    }
    this.#sessions.set(session.url, session);
    this.#handlers.nodesChanged(this.nodes);
    // TURN credentials are fetched as this member, while the hello is posted.
    const credentials = this.#handlers.joined(session);
    // The hello went with the join when the node published it; otherwise it is posted now.
    if (!session.helloCarried) {
      const hello = await this.#options.identity.hello(
        this.#options.room,
        session.memberId,
        session.nodeId,
        false,
      );
      await this.#post(session, hello, undefined);
    }
    this.#firstJoined?.();
    // The join is complete once the credentials are in too: only then does fillSessions start
    // the redundant joins.
    await credentials;
  }

  /**
   * A node is stopping: join another one first — the hello there reaches every member, so peers
   * see this client stay — then leave the stopping node, before it closes the stream itself.
   * Without a replacement the session is kept until the node ends it (then re-joins as usual).
   */
  #bye(session: NodeSession, bye: ByeEvent): void {
    if (this.#sessions.get(session.url) !== session || this.#leaving.has(session)) return;
    this.#leaving.add(session);
    this.#options.pool.avoid(session.url, bye.retryAfterMs);
    this.#options.pool.learn(bye.nodes);
    void this.#fill()
      .catch(() => undefined)
      .then(() => {
        if (this.#active > 0 || this.#stopped) {
          session.close();
          this.#sessionClosed(session, undefined);
        }
      });
  }

  #sessionClosed(session: NodeSession, error: Error | undefined): void {
    if (this.#sessions.get(session.url) !== session) return;
    this.#sessions.delete(session.url);
    const said = this.#leaving.delete(session);
    this.#handlers.nodesChanged(this.nodes);
    if (this.#stopped) return;
    if (!said) this.#options.pool.avoid(session.url);
    // A node that said bye ending the stream is the move completing, not a failure.
    if (error !== undefined && !said)
      this.#handlers.error(
        sigmeshError('NODE_UNREACHABLE', `lost ${session.url}: ${error.message}`),
      );
    this.#rejoin.schedule();
  }

  /** Leaves nodes that became too expensive for us, once a replacement is found. */
  #checkPrices(): void {
    for (const session of this.#sessions.values()) {
      if (session.price > this.#options.maxPowDifficulty / 4 && this.#sessions.size > 0) {
        this.#options.pool.avoid(session.url);
        session.close();
        // Still answering, only expensive: reported as such, not as unreachable.
        this.#handlers.error(
          sigmeshError(
            'POW_TOO_EXPENSIVE',
            `left ${session.url}: its price rose to ${session.price} hashes per post`,
          ),
        );
        this.#sessionClosed(session, undefined);
      }
    }
  }

  /** Seals (with a password) and splits a payload, then posts every part through `session`. */
  async #post(session: NodeSession, payload: RoomPayload, to: PeerId | undefined): Promise<void> {
    const parts = await this.#codec.encode(payload, session.memberId, to, session.maxMessageBytes);
    for (const part of parts) await session.post(part, to);
  }

  /** Incoming messages are handled one at a time, in arrival order (an offer before its candidates). */
  #enqueue(event: MessageEvent): void {
    if (!this.#seen.first(event.id)) return;
    this.#lateHello.heard(event.from);
    this.#incoming = this.#incoming.then(() => this.#receive(event)).catch(() => undefined);
  }

  async #receive(event: MessageEvent): Promise<void> {
    if (this.#isOwnMember(event.from)) return;
    if (event.to !== undefined && !this.#isOwnMember(event.to)) return;
    const opened = await this.#codec.decode(event.from, event.to, event.data);
    if (opened === undefined) return;
    if ('unauthentic' in opened) {
      this.#reportUnauthentic(event.from, opened.unauthentic);
      return;
    }
    // Not fresh (a copy, or sent outside the replay window): counted by the codec, not reported,
    // since an honest post that reached a node twice ends here too.
    if ('refused' in opened) return;
    const { payload } = opened;
    if (payload.kind === 'hello') {
      await this.#hello(event.from, payload, event.to !== undefined);
      return;
    }
    if (payload.kind === 'signal') this.#signal(event.from, payload);
  }

  #signal(from: PeerId, payload: SignalPayload): void {
    const client = this.#directory.clientOf(from);
    if (client === undefined) {
      // From a member we cannot place yet: keep it (opened: a box opens once) and ask who it is.
      if (this.#directory.hold(from, payload)) void this.#helloTo(from, false);
      return;
    }
    if (client === payload.id) this.#handlers.signals(client, payload.signals);
  }

  async #hello(
    from: PeerId,
    hello: Extract<RoomPayload, { kind: 'hello' }>,
    addressed: boolean,
  ): Promise<void> {
    if (hello.id === this.#options.identity.id) return;
    if (this.#directory.has(from)) {
      // A member we know asks who we are (it got our signals before our hello): answer it.
      if (addressed && !hello.reply) void this.#helloTo(from, true);
      return;
    }
    const identity = (await verifyHello(this.#options.room, from, hello))
      ? await peerIdentityOf(hello.key)
      : undefined;
    if (identity === undefined) {
      this.#reportUnauthentic(from, 'its hello signature does not verify');
      return;
    }
    const { newClient, held } = this.#directory.place(from, hello.id, hello.node);
    if (newClient) this.#handlers.clientSeen(hello.id, identity);
    for (const signal of held) this.#signal(from, signal);
    // Not when we greeted it unasked: it has our hello.
    if (!hello.reply && !this.#repliedTo.has(hello.id) && !this.#lateHello.greeted(from)) {
      this.#repliedTo.add(hello.id);
      // Not awaited: incoming messages must never wait on a post (a slow node would stall them all).
      void this.#helloTo(from, true);
    }
  }

  /** Our hellos, one per node (each must come from that node's member), addressed to `member`. */
  async #helloTo(member: PeerId, reply: boolean): Promise<void> {
    await Promise.all(
      [...this.#sessions.values()].map(async (session) => {
        const hello = await this.#options.identity.hello(
          this.#options.room,
          session.memberId,
          session.nodeId,
          reply,
        );
        await this.#post(session, hello, member).catch(() => undefined);
      }),
    );
  }

  #memberLeft(peerId: PeerId): void {
    this.#codec.forget(peerId);
    this.#lateHello.forget(peerId);
    const gone = this.#directory.remove(peerId);
    if (gone === undefined) return;
    this.#repliedTo.delete(gone);
    this.#handlers.clientGone(gone);
  }

  #isOwnMember(peerId: PeerId): boolean {
    for (const session of this.#sessions.values()) if (session.memberId === peerId) return true;
    return false;
  }

  #reportUnauthentic(from: PeerId, why: string): void {
    this.#unauthentic++;
    if (this.#reported.has(from) || this.#reported.size > 1024) return;
    this.#reported.add(from);
    this.#handlers.error(
      sigmeshError('SIGNAL_UNAUTHENTIC', `dropped signaling from member ${from}: ${why}`),
    );
  }
}

function unref(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}
