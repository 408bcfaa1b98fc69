import { createHash } from 'node:crypto';
import type { TestContext } from 'node:test';
import { WebSocket } from 'ws';

/** A 20-byte tracker field (binary string) derived from a label, like a client's random id. */
export function id20(label: string): string {
  return createHash('sha1').update(label).digest().toString('latin1');
}

/** A tracker message as the client sees it. */
export type TrackerMessage = Record<string, unknown>;

/**
 * A raw tracker client over `ws`: sends any JSON (or bytes), and collects every message the
 * tracker sends, for the protocol cases real clients never produce.
 */
export class TrackerSocket {
  readonly received: TrackerMessage[] = [];
  readonly #waiters = new Set<() => void>();
  closeCode: number | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.received.push(JSON.parse(data.toString()) as TrackerMessage);
      for (const wake of this.#waiters) wake();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      for (const wake of this.#waiters) wake();
    });
    ws.on('error', () => undefined);
  }

  /** Opens a socket to `url` (closed when the test ends). */
  static async open(t: TestContext, url: string): Promise<TrackerSocket> {
    const ws = new WebSocket(url.replace(/^http/, 'ws'));
    const socket = new TrackerSocket(ws);
    t.after(() => ws.terminate());
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return socket;
  }

  /** Opens a socket to `url` and announces `peerId` in swarm `ih` with `offers` offers. */
  static async announced(
    t: TestContext,
    url: string,
    ih: string,
    peerId: string,
    offers = 0,
  ): Promise<TrackerSocket> {
    const socket = await TrackerSocket.open(t, url);
    await socket.request(announce(ih, peerId, offers), isReply(ih), peerId);
    return socket;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first message received (from `from` on) that matches, waiting up to `ms`. */
  async next(
    match: (message: TrackerMessage) => boolean,
    what: string,
    ms = 5_000,
    from = 0,
  ): Promise<TrackerMessage> {
    const end = Date.now() + ms;
    for (;;) {
      const found = this.received.slice(from).find(match);
      if (found !== undefined) return found;
      if (this.closeCode !== undefined)
        throw new Error(`socket closed (${this.closeCode}) waiting for ${what}`);
      const left = end - Date.now();
      if (left <= 0)
        throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.#waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#waiters.add(wake);
      });
    }
  }

  /** Sends `message` and waits for the next message that matches. */
  async request(
    message: unknown,
    match: (reply: TrackerMessage) => boolean,
    what: string,
  ): Promise<TrackerMessage> {
    const from = this.received.length;
    this.send(message);
    return this.next(match, what, 5_000, from);
  }
}

/** Matches the announce reply (counts and interval) for `infoHash`. */
export const isReply =
  (infoHash: string) =>
  (message: TrackerMessage): boolean =>
    message.action === 'announce' && message.info_hash === infoHash && 'interval' in message;

/** Matches a refusal with `code`. */
export const isFailure =
  (code: string) =>
  (message: TrackerMessage): boolean =>
    'failure reason' in message && message.code === code;

/** An announce with `n` offers (fake SDP: the tracker never reads it). */
export function announce(
  infoHash: string,
  peerId: string,
  offers: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    action: 'announce',
    info_hash: infoHash,
    peer_id: peerId,
    numwant: offers,
    offers: Array.from({ length: offers }, (_, i) => ({
      offer_id: id20(`${peerId}:offer:${i}:${Math.random()}`),
      offer: { type: 'offer', sdp: `v=0 fake offer ${i}` },
    })),
    ...extra,
  };
}

/** `n` peer ids for a swarm, sorted (Trystero compares them as strings). */
export const sortedIds = (label: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => id20(`${label}-${i}`)).sort();

/** Matches an offer from `peerId`. */
export const offerFrom =
  (peerId: string) =>
  (message: TrackerMessage): boolean =>
    'offer' in message && message.peer_id === peerId;

/** `from`'s answer to `offer` (from `offerer`). */
export const answer = (ih: string, from: string, offerer: string, offer: TrackerMessage) => ({
  action: 'announce',
  info_hash: ih,
  peer_id: from,
  to_peer_id: offerer,
  offer_id: offer.offer_id,
  answer: { type: 'answer', sdp: `answer from ${from}` },
});
