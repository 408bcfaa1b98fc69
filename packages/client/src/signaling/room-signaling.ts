import {
  parseRoomPayload,
  sigmeshError,
  utf8,
  type ClientId,
  type MessageEvent,
  type PeerId,
  type PeerSignal,
  type RoomHash,
  type RoomPayload,
  type SigmeshError,
} from '@sigmesh/protocol';
import type { NodePool, ProbedNode } from '../nodes/node-pool.js';
import { NodeSession } from '../nodes/node-session.js';
import type { PowSolver } from '../pow/pow-solver.js';
import { verifyHello, type ClientIdentity } from './client-identity.js';
import { FragmentAssembler, splitPayload } from './fragments.js';
import type { RoomKey } from './room-key.js';
import { SeenIds } from './seen-ids.js';

/** What the nodes tell the room about other clients. */
export interface SignalingHandlers {
  /** A client proved who it is (its first verified hello). */
  clientSeen(id: ClientId): void;
  /** No node we are on sees any member of this client any more. */
  clientGone(id: ClientId): void;
  signals(id: ClientId, signals: readonly PeerSignal[]): void;
  nodesChanged(urls: readonly string[]): void;
  /** A node accepted us (its probe has the challenges for its other routes). */
  joined(node: ProbedNode): void;
  error(error: SigmeshError): void;
}

export interface RoomSignalingOptions {
  readonly room: RoomHash;
  readonly identity: ClientIdentity;
  readonly key: RoomKey | undefined;
  readonly pool: NodePool;
  readonly solver: PowSolver;
  /** How many nodes to join at once. */
  readonly k: number;
  readonly joinTimeoutMs: number;
  /** A node asking more than this per post is left for a cheaper one. */
  readonly maxPowDifficulty: number;
  readonly handlers: SignalingHandlers;
}

/** Messages from a member that has not said hello yet wait this long, at most this many. */
const UNKNOWN_MEMBER_TTL_MS = 15_000;
const UNKNOWN_MEMBER_MAX = 32;
const REJOIN_BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15_000, 30_000];
const PRICE_CHECK_MS = 30_000;
/** Pauses before sending signals again when no route worked. */
const SIGNAL_RETRY_MS = [500, 1000, 2000];
/** A pre-solved spare join is dropped this many seconds before its challenge expires. */
const SPARE_MARGIN_S = 15;

interface KnownMember {
  readonly client: ClientId;
  readonly node: string;
}

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
  readonly #members = new Map<PeerId, KnownMember>();
  readonly #clients = new Map<ClientId, Set<PeerId>>();
  readonly #unknown = new Map<PeerId, { since: number; messages: MessageEvent[] }>();
  readonly #repliedTo = new Set<ClientId>();
  readonly #seen = new SeenIds();
  readonly #fragments = new FragmentAssembler();
  readonly #reported = new Set<PeerId>();
  #incoming: Promise<void> = Promise.resolve();
  #rejoinAttempt = 0;
  #rejoinTimer: ReturnType<typeof setTimeout> | undefined;
  #priceTimer: ReturnType<typeof setInterval> | undefined;
  #stopped = false;
  #firstJoined: (() => void) | undefined;
  #spare: { node: ProbedNode; token: Promise<string>; validUntil: number } | undefined;

  constructor(options: RoomSignalingOptions) {
    this.#options = options;
    this.#handlers = options.handlers;
  }

  /** URLs of the nodes joined now. */
  get nodes(): string[] {
    return [...this.#sessions.keys()];
  }

  /** Joins up to k nodes; resolves once at least one accepted us. */
  async start(): Promise<void> {
    const filled = this.#fill();
    filled.catch(() => undefined);
    await Promise.race([filled, new Promise<void>((resolve) => (this.#firstJoined = resolve))]);
    if (this.#sessions.size === 0) await filled;
    if (this.#sessions.size === 0) throw sigmeshError('NO_NODE_REACHABLE');
    this.#priceTimer = setInterval(() => this.#checkPrices(), PRICE_CHECK_MS);
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
      if (this.#stopped || !this.#clients.has(id)) break;
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
    for (const member of this.#clients.get(id) ?? []) {
      const node = this.#members.get(member)?.node;
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
    clearTimeout(this.#rejoinTimer);
    clearInterval(this.#priceTimer);
    for (const session of this.#sessions.values()) session.close();
    this.#sessions.clear();
  }

  /** Joins ranked nodes until k sessions are open or the candidates run out. */
  async #fill(): Promise<void> {
    const missing = this.#options.k - this.#sessions.size;
    if (missing <= 0 || this.#stopped) return;
    const spare = await this.#takeSpare();
    if (spare !== undefined) {
      try {
        await this.#join(spare.node, spare.token);
        if (this.#sessions.size >= this.#options.k) return;
      } catch {
        this.#options.pool.avoid(spare.node.url);
      }
    }
    const refusals: SigmeshError[] = [];
    const joining = new Set(this.#sessions.keys());
    let early: Promise<void> | undefined;
    if (this.#sessions.size === 0 && this.#options.k > 0) {
      const quick = await this.#options.pool.rank(joining, undefined, true).catch(() => []);
      const first = quick[0];
      if (first !== undefined) {
        joining.add(first.url);
        early = this.#join(first).catch((error: unknown) => {
          this.#options.pool.avoid(first.url);
          refusals.push(error as SigmeshError);
        });
      }
    }
    // With a join already under way, running out of other nodes is not a failure.
    let ranked: ProbedNode[] = [];
    try {
      ranked = await this.#options.pool.rank(joining);
    } catch (error) {
      if (early === undefined) throw error;
    }
    let earlyPending = early !== undefined;
    void early?.finally(() => (earlyPending = false));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (
        this.#sessions.size + (earlyPending ? 1 : 0) < this.#options.k &&
        next < ranked.length &&
        !this.#stopped
      ) {
        const node = ranked[next++]!;
        try {
          await this.#join(node);
        } catch (error) {
          this.#options.pool.avoid(node.url);
          refusals.push(error as SigmeshError);
        }
      }
    };
    await Promise.all([...Array.from({ length: missing - (early ? 1 : 0) }, worker), early]);
    // The early join failed while no other join was running: try the ranked nodes too.
    const short = this.#options.k - this.#sessions.size;
    if (short > 0 && next < ranked.length) await Promise.all(Array.from({ length: short }, worker));
    this.#prepareSpare(ranked.slice(next));
    if (this.#sessions.size === 0 && refusals.length > 0) {
      if (refusals.every((error) => error.code === 'ROOM_FULL'))
        throw sigmeshError('ROOM_FULL', 'every reachable node refused the room as full');
      throw sigmeshError(
        'NO_NODE_REACHABLE',
        `no node let us join: ${refusals.map((error) => `${error.code ?? 'ERROR'} ${error.message}`).join('; ')}`,
      );
    }
  }

  /**
   * Pre-solves the join challenge of the best node not joined (from the probe just made), so a
   * replacement join after a node dies costs no PoW and no probe while the challenge is valid.
   */
  #prepareSpare(candidates: readonly ProbedNode[]): void {
    const node = candidates.find((candidate) => !this.#sessions.has(candidate.url));
    if (node === undefined || this.#stopped) return;
    const validUntil = Date.now() + Math.max(0, node.info.pow.ttl - SPARE_MARGIN_S) * 1000;
    const offer = {
      challenge: node.info.pow.challenges['room-join'],
      difficulty: node.info.pow.price,
      scope: 'room-join' as const,
    };
    const token = this.#options.solver.pay(offer, utf8(this.#options.room));
    token.catch(() => undefined);
    this.#spare = { node, token, validUntil };
  }

  async #takeSpare(): Promise<{ node: ProbedNode; token: string } | undefined> {
    const spare = this.#spare;
    this.#spare = undefined;
    if (spare === undefined || Date.now() > spare.validUntil) return undefined;
    if (this.#sessions.has(spare.node.url) || this.#options.pool.avoided(spare.node.url))
      return undefined;
    try {
      return { node: spare.node, token: await spare.token };
    } catch {
      return undefined;
    }
  }

  async #join(node: ProbedNode, prepaid?: string): Promise<void> {
    this.#handlers.joined(node);
    const session = await NodeSession.open(
      node,
      this.#options.room,
      this.#options.solver,
      {
        join: () => undefined,
        leave: (peerId) => this.#memberLeft(peerId),
        message: (event) => this.#enqueue(event),
        closed: (closed, error) => this.#sessionClosed(closed, error),
      },
      this.#options.joinTimeoutMs,
      prepaid,
    );
    if (this.#stopped) {
      session.close();
      return;
    }
    this.#sessions.set(session.url, session);
    this.#handlers.nodesChanged(this.nodes);
    const hello = await this.#options.identity.hello(
      this.#options.room,
      session.memberId,
      session.nodeId,
      false,
    );
    await this.#post(session, hello, undefined);
    this.#firstJoined?.();
  }

  #sessionClosed(session: NodeSession, error: Error | undefined): void {
    if (this.#sessions.get(session.url) !== session) return;
    this.#sessions.delete(session.url);
    this.#handlers.nodesChanged(this.nodes);
    if (this.#stopped) return;
    this.#options.pool.avoid(session.url);
    if (error !== undefined)
      this.#handlers.error(
        sigmeshError('NODE_UNREACHABLE', `lost ${session.url}: ${error.message}`),
      );
    this.#scheduleRejoin();
  }

  #scheduleRejoin(): void {
    if (this.#rejoinTimer !== undefined || this.#stopped) return;
    const delay = REJOIN_BACKOFF_MS[Math.min(this.#rejoinAttempt, REJOIN_BACKOFF_MS.length - 1)]!;
    this.#rejoinTimer = setTimeout(() => {
      this.#rejoinTimer = undefined;
      this.#fill().then(
        () => {
          this.#rejoinAttempt =
            this.#sessions.size >= this.#options.k ? 0 : this.#rejoinAttempt + 1;
          if (this.#sessions.size < this.#options.k) this.#scheduleRejoin();
        },
        () => {
          this.#rejoinAttempt++;
          this.#scheduleRejoin();
        },
      );
    }, delay);
    unref(this.#rejoinTimer);
  }

  /** Leaves nodes that became too expensive for us, once a replacement is found. */
  #checkPrices(): void {
    for (const session of this.#sessions.values()) {
      if (session.price > this.#options.maxPowDifficulty / 4 && this.#sessions.size > 0) {
        this.#options.pool.avoid(session.url);
        session.close();
        this.#sessionClosed(
          session,
          new Error(`its price rose to ${session.price} hashes per post`),
        );
      }
    }
  }

  /** Seals (with a password) and splits a payload, then posts every part through `session`. */
  async #post(session: NodeSession, payload: RoomPayload, to: PeerId | undefined): Promise<void> {
    let text = JSON.stringify(payload);
    const key = this.#options.key;
    if (key !== undefined)
      text = JSON.stringify(await key.seal(text, this.#options.room, session.memberId, to));
    const parts = splitPayload(text, session.maxMessageBytes);
    if (parts === undefined)
      throw sigmeshError(
        'BODY_TOO_LARGE',
        `a signaling payload does not fit ${session.url}'s posts`,
      );
    for (const part of parts) await session.post(part, to);
  }

  /** Incoming messages are handled one at a time, in arrival order (an offer before its candidates). */
  #enqueue(event: MessageEvent): void {
    if (!this.#seen.first(event.id)) return;
    this.#incoming = this.#incoming.then(() => this.#receive(event)).catch(() => undefined);
  }

  async #receive(event: MessageEvent): Promise<void> {
    if (this.#isOwnMember(event.from)) return;
    if (event.to !== undefined && !this.#isOwnMember(event.to)) return;
    const payload = await this.#open(event.from, event.to, event.data);
    if (payload === undefined) return;
    if (payload.kind === 'hello') {
      await this.#hello(event.from, payload, event.to !== undefined);
      return;
    }
    if (payload.kind !== 'signal') return;
    const member = this.#members.get(event.from);
    if (member === undefined) {
      this.#holdUnknown(event);
      return;
    }
    if (member.client === payload.id) this.#handlers.signals(member.client, payload.signals);
  }

  /** Reassembles, unseals and parses a payload; undefined when incomplete or not authentic. */
  async #open(
    from: PeerId,
    to: PeerId | undefined,
    data: unknown,
  ): Promise<RoomPayload | undefined> {
    let payload = parseRoomPayload(data);
    if (!payload.ok) return undefined;
    if (payload.value.kind === 'fragment') {
      const whole = this.#fragments.add(`${from}>${to ?? '*'}`, payload.value);
      if (whole === undefined) return undefined;
      payload = parseRoomPayload(safeJson(whole));
      if (!payload.ok || payload.value.kind === 'fragment') return undefined;
    }
    const key = this.#options.key;
    if (payload.value.kind === 'sealed') {
      const text =
        key === undefined ? undefined : await key.open(payload.value, this.#options.room, from, to);
      if (text === undefined) {
        this.#reportUnauthentic(
          from,
          key === undefined
            ? 'it uses a room password and we have none'
            : 'wrong password or tampered',
        );
        return undefined;
      }
      const inner = parseRoomPayload(safeJson(text));
      if (!inner.ok || inner.value.kind === 'sealed' || inner.value.kind === 'fragment')
        return undefined;
      return inner.value;
    }
    if (key !== undefined) {
      this.#reportUnauthentic(from, 'it sent an unencrypted payload in a password-protected room');
      return undefined;
    }
    return payload.value;
  }

  async #hello(
    from: PeerId,
    hello: Extract<RoomPayload, { kind: 'hello' }>,
    addressed: boolean,
  ): Promise<void> {
    if (hello.id === this.#options.identity.id) return;
    if (this.#members.has(from)) {
      // A member we know asks who we are (it got our signals before our hello): answer it.
      if (addressed && !hello.reply) void this.#helloTo(from, true);
      return;
    }
    if (!(await verifyHello(this.#options.room, from, hello))) {
      this.#reportUnauthentic(from, 'its hello signature does not verify');
      return;
    }
    this.#members.set(from, { client: hello.id, node: hello.node });
    let members = this.#clients.get(hello.id);
    const isNew = members === undefined;
    if (members === undefined) {
      members = new Set();
      this.#clients.set(hello.id, members);
    }
    members.add(from);
    if (isNew) this.#handlers.clientSeen(hello.id);
    const held = this.#unknown.get(from);
    this.#unknown.delete(from);
    for (const event of held?.messages ?? []) await this.#receive(event);
    if (!hello.reply && !this.#repliedTo.has(hello.id)) {
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

  /** A signal from a member we cannot place yet: keep it briefly and ask the member who it is. */
  #holdUnknown(event: MessageEvent): void {
    const now = Date.now();
    for (const [member, held] of this.#unknown)
      if (now - held.since > UNKNOWN_MEMBER_TTL_MS) this.#unknown.delete(member);
    let held = this.#unknown.get(event.from);
    if (held === undefined) {
      if (this.#unknown.size >= UNKNOWN_MEMBER_MAX) return;
      held = { since: now, messages: [] };
      this.#unknown.set(event.from, held);
      void this.#helloTo(event.from, false);
    }
    if (held.messages.length < UNKNOWN_MEMBER_MAX) held.messages.push(event);
  }

  #memberLeft(peerId: PeerId): void {
    this.#unknown.delete(peerId);
    this.#fragments.forget(`${peerId}>*`);
    const member = this.#members.get(peerId);
    if (member === undefined) return;
    this.#members.delete(peerId);
    const members = this.#clients.get(member.client);
    members?.delete(peerId);
    if (members?.size === 0) {
      this.#clients.delete(member.client);
      this.#repliedTo.delete(member.client);
      this.#handlers.clientGone(member.client);
    }
  }

  #isOwnMember(peerId: PeerId): boolean {
    for (const session of this.#sessions.values()) if (session.memberId === peerId) return true;
    return false;
  }

  #reportUnauthentic(from: PeerId, why: string): void {
    if (this.#reported.has(from) || this.#reported.size > 1024) return;
    this.#reported.add(from);
    this.#handlers.error(
      sigmeshError('SIGNAL_UNAUTHENTIC', `dropped signaling from member ${from}: ${why}`),
    );
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function unref(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}
