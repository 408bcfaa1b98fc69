import { randomBytes } from 'node:crypto';
import {
  fromBase64url,
  meshTranscript,
  parseMeshFrame,
  toBase64url,
  utf8,
  type MeshFrame,
  type RoomHash,
} from '@sigmesh/protocol';
import type { WebSocket } from 'ws';
import type { NodeIdentity } from '../identity/node-identity.js';
import { verifyEd25519 } from '../identity/node-identity.js';
import type { Logger } from '../log/create-logger.js';
import { TokenBucket } from '../turn/token-bucket.js';
import { meshCloseCodes } from './mesh-close-codes.js';

/** Limits of one link. */
export interface LinkLimits {
  readonly framesPerSecond: number;
  readonly maxBufferedBytes: number;
  readonly handshakeTimeoutMs: number;
}

/** What a link reports to the mesh. */
export interface LinkHandlers {
  opened(link: MeshLink): void;
  frame(link: MeshLink, frame: Exclude<MeshFrame, { t: 'hello' } | { t: 'auth' }>): void;
  closed(link: MeshLink, code: number, reason: string): void;
}

/** Window over which dropped frames are counted toward cutting the link. */
const DROP_WINDOW_MS = 5_000;
/** Invalid frames tolerated before the link is cut. */
const MAX_INVALID_FRAMES = 10;

/**
 * One WebSocket link to another node. Both sides send `hello` (id, fresh nonce, URL), then `auth`:
 * an ed25519 signature over both nonces and both ids ({@link meshTranscript}). The link opens only
 * when the other side's signature verifies under the key its id names; until then any other frame
 * cuts it. After that: a per-link frame rate, a bound on unsent bytes, and a tolerance for a few
 * invalid frames — a misbehaving node is cut, never allowed to crash or bloat us.
 */
export class MeshLink {
  readonly dialed: boolean;
  /** The other node's id, once its hello arrived (trusted only once `open`). */
  remoteId: string | undefined;
  remoteUrl: string | undefined;
  /** The other node's IP as our socket sees it. */
  remoteAddress: string | undefined;
  state: 'handshake' | 'open' | 'closed' = 'handshake';
  /** Rooms the other node has local members in. */
  readonly interests = new Set<RoomHash>();
  /** When the link last shared a room with us (for idle close). */
  lastShared: number;
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
  #theirNonce: string | undefined;
  #authReceived = false;
  #invalid = 0;
  #dropWindowStart = 0;
  #dropsInWindow = 0;
  #timer: NodeJS.Timeout | undefined;

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
    this.lastShared = options.now();
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
    });
    // A dialed socket is still connecting here: say hello once it opens.
    if (this.#ws.readyState === this.#ws.OPEN) this.sendRaw(hello);
    else this.#ws.once('open', () => this.sendRaw(hello));
  }

  /** Sends a frame already serialized (fan-out serializes once). Cuts a link that does not drain. */
  sendRaw(text: string): void {
    if (this.#ws.readyState !== this.#ws.OPEN) return;
    if (this.#ws.bufferedAmount > this.#limits.maxBufferedBytes) {
      this.close(meshCloseCodes.slow, 'link not draining');
      return;
    }
    this.#ws.send(text);
  }

  send(frame: MeshFrame): void {
    this.sendRaw(JSON.stringify(frame));
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

  #onMessage(data: Buffer, isBinary: boolean): void {
    if (this.state === 'closed') return;
    this.framesIn++;
    const now = this.#now();
    if (!this.#bucket.take(1, now)) {
      this.framesDropped++;
      // Cut only a sustained flood: more than one second's allowance dropped within one window.
      if (now - this.#dropWindowStart >= DROP_WINDOW_MS) {
        this.#dropWindowStart = now;
        this.#dropsInWindow = 0;
      }
      if (++this.#dropsInWindow === 1) {
        this.#log.debug({ code: 'MESH_RATE_LIMITED', peer: this.remoteId }, 'mesh frames dropped');
      }
      if (this.#dropsInWindow > this.#limits.framesPerSecond)
        this.close(meshCloseCodes.rate, 'rate limit');
      return;
    }
    let frame: MeshFrame | undefined;
    if (!isBinary) {
      try {
        const result = parseMeshFrame(JSON.parse(data.toString('utf8')));
        if (result.ok) frame = result.value;
      } catch {
        // invalid JSON: counted below
      }
    }
    if (frame === undefined) {
      this.#invalidFrame('unparseable frame');
      return;
    }
    if (frame.t === 'hello') this.#onHello(frame.node, frame.nonce, frame.url);
    else if (frame.t === 'auth') this.#onAuth(frame.sig);
    else if (this.state !== 'open')
      this.close(meshCloseCodes.handshake, 'room frame before handshake');
    else this.#handlers.frame(this, frame);
  }

  #onHello(node: string, nonce: string, url: string): void {
    if (this.#theirNonce !== undefined) return this.close(meshCloseCodes.handshake, 'second hello');
    if (node === this.#identity.id) return this.close(meshCloseCodes.handshake, 'linked to itself');
    if (this.#expectedId !== undefined && node !== this.#expectedId)
      return this.close(meshCloseCodes.handshake, 'unexpected node id');
    this.remoteId = node;
    this.remoteUrl = url;
    this.#theirNonce = nonce;
    const transcript = meshTranscript(nonce, this.#nonce, this.#identity.id, node);
    this.send({ t: 'auth', sig: toBase64url(this.#identity.sign(utf8(transcript))) });
  }

  #onAuth(sig: string): void {
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
      return this.close(meshCloseCodes.handshake, 'bad signature');
    }
    this.#authReceived = true;
    clearTimeout(this.#timer);
    this.state = 'open';
    this.#settle?.resolve(this.remoteId);
    this.#handlers.opened(this);
  }

  #invalidFrame(reason: string): void {
    this.#invalid++;
    this.#log.debug(
      { code: 'MESH_FRAME_INVALID', peer: this.remoteId, reason },
      'invalid mesh frame',
    );
    if (this.state !== 'open') this.close(meshCloseCodes.handshake, reason);
    else if (this.#invalid > MAX_INVALID_FRAMES)
      this.close(meshCloseCodes.invalid, 'too many invalid frames');
  }

  #onClose(code: number, reason: string): void {
    if (this.state === 'closed') return;
    clearTimeout(this.#timer);
    this.state = 'closed';
    this.#settle?.reject(new Error(`mesh link closed (${code} ${reason})`));
    this.#handlers.closed(this, code, reason);
  }
}
