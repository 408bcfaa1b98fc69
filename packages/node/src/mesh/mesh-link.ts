import { createHash, randomBytes } from 'node:crypto';
import {
  MESH_PROTOCOL_VERSION,
  admissionText,
  checkPrefixSolution,
  fromBase64url,
  meshTranscript,
  parseMeshFrame,
  solvePrefix,
  toBase64url,
  utf8,
  type MeshFrame,
} from '@sigmesh/protocol';
import type { WebSocket } from 'ws';
import type { NodeIdentity } from '../identity/node-identity.js';
import { verifyEd25519 } from '../identity/ed25519-verify.js';
import type { Logger } from '../log/create-logger.js';
import { nodeCryptoSearch } from '../pow/node-crypto-search.js';
import { corkedBytes, sendInTurn } from '../sockets/turn-sends.js';
import { TokenBucket } from '../turn/token-bucket.js';
import { LinkInterests } from './link-interests.js';
import { meshCloseCodes } from './mesh-close-codes.js';

/** Limits of one link. */
export interface LinkLimits {
  readonly framesPerSecond: number;
  readonly maxBufferedBytes: number;
  readonly handshakeTimeoutMs: number;
  /** Ping the other side when it was silent this long. */
  readonly pingMs: number;
  /** Cut the link when the other side was silent this long (a hung or vanished node). */
  readonly silenceMs: number;
  /** Admission work asked of a dialing node (accepting side only; 0: none). */
  readonly admit: number;
  /** Most admission work this node does to dial (dialing side). */
  readonly maxAdmit: number;
}

/** The frames that flow once a link is open. */
export type RoomFrame = Exclude<MeshFrame, { t: 'hello' } | { t: 'auth' }>;

/** What a link reports to the mesh. */
export interface LinkHandlers {
  /** The other side's hello arrived: may this node link to us at all? (bans, self, version) */
  admit(link: MeshLink, node: string): string | undefined;
  opened(link: MeshLink): void;
  frame(link: MeshLink, frame: RoomFrame): void;
  /** The other side broke a rule; `points` go to its reputation. */
  violation(link: MeshLink, reason: string, points: number): void;
  closed(link: MeshLink, code: number, reason: string): void;
}

/** Names one chain of one owner run: its epoch and chain number. */
export function chainKey(chain: { readonly epoch: string; readonly chain: number }): string {
  return `${chain.epoch}/${chain.chain}`;
}

/**
 * Beat checking a link may cost us per second (a hash is about a microsecond): enough to follow a
 * thousand owners and catch up on missed beats, not enough for a node to make us hash all day.
 */
const HASHES_PER_SECOND = 100_000;
/** Rosters a link may ask for (`want`) per second; each may be thousands of member ids. */
const WANTS_PER_SECOND = 20;

/** Window over which dropped frames are counted toward cutting the link. */
const DROP_WINDOW_MS = 5_000;

/**
 * One WebSocket link to another node. Both sides send `hello` (id, fresh nonce, URL, protocol
 * version, the admission work they ask for), then `auth`: an ed25519 signature over both nonces
 * and both ids ({@link meshTranscript}), plus, from a dialing node, the admission proof-of-work.
 * The link opens only when the other side's signature (and work) verify; until then any other
 * frame cuts it. After that: a per-link frame rate, a bound on unsent bytes, pings while the other
 * side is silent and a cut when it stays silent — a hung node's link does not linger.
 */
export class MeshLink {
  readonly dialed: boolean;
  /** The other node's id, once its hello arrived (trusted only once `open`). */
  remoteId: string | undefined;
  remoteUrl: string | undefined;
  /** The other node's IP as our socket sees it. */
  remoteAddress: string | undefined;
  state: 'handshake' | 'open' | 'closed' = 'handshake';
  /** Blinded room interests of both sides, and the rooms they share (set once open). */
  interests: LinkInterests | undefined;
  /** When the link last shared a room with us (for idle close). */
  lastShared: number;
  readonly openedAt: number;
  /** Owners whose anchor this link has (as {@link chainKey}): it gets their beats. */
  readonly anchorsSent = new Map<string, string>();
  /** The roster version of each owner and room (`owner room`) this link has from us. */
  readonly rostersSent = new Map<string, number>();
  /** Hashes we spend per second checking the beats this link brings, and answers to its wants. */
  readonly hashBudget: TokenBucket;
  readonly wantBudget: TokenBucket;
  /** Owners we told this link we no longer reach (until we pass it a newer beat). */
  readonly withdrawn = new Set<string>();
  /** Counters. */
  framesIn = 0;
  framesDropped = 0;
  /** Resolves with the other node's id once the handshake verified; rejects if the link closes first. */
  readonly ready: Promise<string>;
  #settle: { resolve: (id: string) => void; reject: (error: Error) => void } | undefined;

  readonly #ws: WebSocket;
  readonly #identity: NodeIdentity;
  readonly #nonce = toBase64url(randomBytes(32));
  readonly #handlers: LinkHandlers;
  readonly #limits: LinkLimits;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #bucket: TokenBucket;
  readonly #expectedId: string | undefined;
  readonly #solving = new AbortController();
  #theirNonce: string | undefined;
  #authSent = false;
  #authReceived = false;
  #dropWindowStart = 0;
  #dropsInWindow = 0;
  #lastHeard: number;
  #timer: NodeJS.Timeout | undefined;
  #pinger: NodeJS.Timeout | undefined;

  constructor(options: {
    ws: WebSocket;
    dialed: boolean;
    identity: NodeIdentity;
    publicUrl: string;
    version: string;
    handlers: LinkHandlers;
    limits: LinkLimits;
    log: Logger;
    now: () => number;
    /** When dialing a known node: refuse any other key. */
    expectedId?: string;
  }) {
    this.#ws = options.ws;
    this.dialed = options.dialed;
    this.#identity = options.identity;
    this.#handlers = options.handlers;
    this.#limits = options.limits;
    this.#log = options.log;
    this.#now = options.now;
    this.#expectedId = options.expectedId;
    this.openedAt = options.now();
    this.hashBudget = new TokenBucket(HASHES_PER_SECOND, HASHES_PER_SECOND * 2, this.openedAt);
    this.wantBudget = new TokenBucket(WANTS_PER_SECOND, WANTS_PER_SECOND * 5, this.openedAt);
    this.lastShared = this.openedAt;
    this.#lastHeard = this.openedAt;
    this.ready = new Promise<string>((resolve, reject) => (this.#settle = { resolve, reject }));
    this.ready.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection
    this.#bucket = new TokenBucket(
      options.limits.framesPerSecond,
      options.limits.framesPerSecond * 2,
      options.now(),
    );
    this.#timer = setTimeout(
      () => this.close(meshCloseCodes.handshake, 'handshake timeout'),
      options.limits.handshakeTimeoutMs,
    );
    this.#timer.unref();
    this.#ws.on('message', (data, isBinary) => this.#onMessage(data as Buffer, isBinary));
    this.#ws.on('pong', () => (this.#lastHeard = this.#now()));
    this.#ws.on('close', (code, reason) => this.#onClose(code, reason.toString()));
    this.#ws.on('error', (error) =>
      this.#log.debug({ err: error, peer: this.remoteId }, 'mesh link error'),
    );
    const hello = JSON.stringify({
      t: 'hello',
      node: options.identity.id,
      nonce: this.#nonce,
      url: options.publicUrl,
      version: options.version,
      proto: MESH_PROTOCOL_VERSION,
      admit: options.dialed ? 0 : options.limits.admit,
    });
    // A dialed socket is still connecting here: say hello once it opens.
    if (this.#ws.readyState === this.#ws.OPEN) this.#write(hello);
    else this.#ws.once('open', () => this.#write(hello));
  }

  /** Sends a frame already serialized (fan-out serializes once). Cuts a link that does not drain. */
  sendRaw(text: string): void {
    if (this.state === 'open') this.#write(text);
  }

  /**
   * The nonce the dialing side sent in its hello (ours when we dialed), once both hellos are in:
   * both ends know it alike, so it tells two links between the same pair apart the same way at
   * both ends (see `replacesLink`).
   */
  get dialerNonce(): string | undefined {
    return this.dialed ? this.#nonce : this.#theirNonce;
  }

  send(frame: MeshFrame): void {
    this.sendRaw(JSON.stringify(frame));
  }

  /** Bytes queued toward the other side and not yet written to the socket. */
  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    clearTimeout(this.#timer);
    if (this.#ws.readyState === this.#ws.OPEN || this.#ws.readyState === this.#ws.CONNECTING)
      this.#ws.close(code, reason);
    // A peer that never answers the close handshake must not pin the socket.
    setTimeout(() => this.#ws.terminate(), 2000).unref();
    this.#onClose(code, reason);
  }

  #write(text: string): boolean {
    if (this.#ws.readyState !== this.#ws.OPEN) return false;
    // What this turn corked is not waiting on the other node yet (turn-sends.ts).
    if (this.#ws.bufferedAmount - corkedBytes(this.#ws) > this.#limits.maxBufferedBytes) {
      this.close(meshCloseCodes.slow, 'link not draining');
      return false;
    }
    sendInTurn(this.#ws, text);
    return true;
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    if (this.state === 'closed') return;
    this.framesIn++;
    const now = this.#now();
    this.#lastHeard = now;
    if (!this.#bucket.take(1, now)) {
      this.framesDropped++;
      // Cut only a sustained flood: more than one second's allowance dropped within one window.
      if (now - this.#dropWindowStart >= DROP_WINDOW_MS) {
        this.#dropWindowStart = now;
        this.#dropsInWindow = 0;
      }
      if (++this.#dropsInWindow === 1) {
        this.#log.debug({ code: 'MESH_RATE_LIMITED', peer: this.remoteId }, 'mesh frames dropped');
        this.#handlers.violation(this, 'frame rate', 1);
      }
      if (this.#dropsInWindow > this.#limits.framesPerSecond) {
        this.#handlers.violation(this, 'sustained frame flood', 20);
        this.close(meshCloseCodes.rate, 'rate limit');
      }
      return;
    }
    let frame: MeshFrame | undefined;
    let reason = 'binary frame';
    if (!isBinary) {
      try {
        const result = parseMeshFrame(JSON.parse(data.toString('utf8')));
        if (result.ok) frame = result.value;
        else reason = result.message;
      } catch {
        reason = 'not JSON';
      }
    }
    if (frame === undefined) {
      this.#log.debug(
        { code: 'MESH_FRAME_INVALID', peer: this.remoteId, reason },
        'invalid mesh frame',
      );
      if (this.state !== 'open') this.close(meshCloseCodes.handshake, reason);
      else this.#handlers.violation(this, reason, 5);
      return;
    }
    if (frame.t === 'hello')
      this.#onHello(frame.node, frame.nonce, frame.url, frame.proto, frame.admit);
    else if (frame.t === 'auth') this.#onAuth(frame.sig, frame.work);
    else if (this.state !== 'open')
      this.close(meshCloseCodes.handshake, 'room frame before handshake');
    else this.#dispatch(frame);
  }

  /**
   * Hands a room frame to the mesh. A frame that makes our own handling throw is a bug of ours,
   * but it came from another node: it is logged and counted against the sender, and never ends
   * the process.
   */
  #dispatch(frame: RoomFrame): void {
    try {
      this.#handlers.frame(this, frame);
    } catch (error) {
      this.#log.error(
        { err: error, peer: this.remoteId, frame: frame.t },
        'mesh frame handling failed',
      );
      this.#handlers.violation(this, `frame ${frame.t} could not be handled`, 5);
    }
  }

  #onHello(node: string, nonce: string, url: string, proto: number, admit: number): void {
    if (this.#theirNonce !== undefined) return this.close(meshCloseCodes.handshake, 'second hello');
    if (proto !== MESH_PROTOCOL_VERSION)
      return this.close(
        meshCloseCodes.handshake,
        `mesh protocol ${proto}, not ${MESH_PROTOCOL_VERSION}`,
      );
    if (this.#expectedId !== undefined && node !== this.#expectedId)
      return this.close(meshCloseCodes.handshake, 'unexpected node id');
    const refusal = this.#handlers.admit(this, node);
    if (refusal !== undefined) return this.close(meshCloseCodes.refused, refusal);
    this.remoteId = node;
    this.remoteUrl = url;
    this.#theirNonce = nonce;
    if (!this.dialed) return this.#sendAuth(undefined);
    if (admit === 0) return this.#sendAuth(undefined);
    if (admit > this.#limits.maxAdmit)
      return this.close(meshCloseCodes.handshake, `admission work ${admit} above our limit`);
    const prefix = createHash('sha256').update(admissionText(nonce, this.#identity.id)).digest();
    solvePrefix(prefix, admit, {
      search: nodeCryptoSearch,
      chunk: 4096,
      signal: this.#solving.signal,
      yieldToEventLoop: () => new Promise<void>((resolve) => setImmediate(resolve)),
    }).then(
      (work) => this.#sendAuth(work),
      () => undefined, // the link closed while solving
    );
  }

  #sendAuth(work: number | undefined): void {
    if (this.state !== 'handshake' || this.#theirNonce === undefined || this.remoteId === undefined)
      return;
    const transcript = meshTranscript(
      this.#theirNonce,
      this.#nonce,
      this.#identity.id,
      this.remoteId,
    );
    const sig = toBase64url(this.#identity.sign(utf8(transcript)));
    this.#write(JSON.stringify(work === undefined ? { t: 'auth', sig } : { t: 'auth', sig, work }));
    this.#authSent = true;
    this.#maybeOpen();
  }

  #onAuth(sig: string, work: number | undefined): void {
    if (this.remoteId === undefined || this.#theirNonce === undefined || this.#authReceived) {
      return this.close(meshCloseCodes.handshake, 'auth out of order');
    }
    // What the other side signed, from its point of view: our nonce is its "their nonce".
    const transcript = meshTranscript(
      this.#nonce,
      this.#theirNonce,
      this.remoteId,
      this.#identity.id,
    );
    const signature = fromBase64url(sig);
    if (
      signature === undefined ||
      !verifyEd25519(Buffer.from(this.remoteId, 'hex'), utf8(transcript), signature)
    ) {
      this.#handlers.violation(this, 'bad handshake signature', 20);
      return this.close(meshCloseCodes.handshake, 'bad signature');
    }
    if (!this.dialed && this.#limits.admit > 0) {
      const prefix = createHash('sha256')
        .update(admissionText(this.#nonce, this.remoteId))
        .digest();
      if (work === undefined || !checkPrefixSolution(prefix, this.#limits.admit, work)) {
        this.#handlers.violation(this, 'no admission work', 5);
        return this.close(meshCloseCodes.handshake, 'admission work missing or wrong');
      }
    }
    this.#authReceived = true;
    this.#maybeOpen();
  }

  #maybeOpen(): void {
    if (!this.#authSent || !this.#authReceived || this.state !== 'handshake') return;
    clearTimeout(this.#timer);
    this.state = 'open';
    this.interests = new LinkInterests(this.#nonce, this.#theirNonce!);
    this.#pinger = setInterval(() => this.#checkSilence(), Math.max(50, this.#limits.pingMs / 2));
    this.#pinger.unref();
    this.#settle?.resolve(this.remoteId!);
    this.#handlers.opened(this);
  }

  #checkSilence(): void {
    const silent = this.#now() - this.#lastHeard;
    if (silent >= this.#limits.silenceMs) {
      this.close(meshCloseCodes.silent, `silent for ${silent} ms`);
      return;
    }
    if (silent >= this.#limits.pingMs && this.#ws.readyState === this.#ws.OPEN) this.#ws.ping();
  }

  #onClose(code: number, reason: string): void {
    if (this.state === 'closed') return;
    clearTimeout(this.#timer);
    clearInterval(this.#pinger);
    this.#solving.abort();
    this.state = 'closed';
    this.#settle?.reject(new Error(`mesh link closed (${code} ${reason})`));
    this.#handlers.closed(this, code, reason);
  }
}
