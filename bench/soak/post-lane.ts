import { formatPowToken } from '@sigmesh/protocol';
import { KeepAliveConnection } from '../lib/keepalive-connection.js';
import { nowMs } from './soak-member.js';

/** What a post came back with. */
export interface PostAnswer {
  /** `ok`, or the node's error code, or `network` when the connection failed. */
  readonly outcome: string;
  /** When the request was written (monotonic ms; NaN when it never was). */
  readonly sentAt: number;
  /** The node's id of the message (`id` of the answer), for finding it in node logs. */
  readonly messageId?: string;
}

/**
 * One keep-alive connection to one node that posts for any member of this generator (challenges
 * are bound to the route and the client address, not to a member), one post at a time, chaining
 * the `next` challenge of each answer. At the bench price of 1 every counter solves a challenge,
 * so the lane pays nothing; the node still verifies each token (HMAC, SHA-256, replay set).
 */
export class PostLane {
  busy = false;
  readonly #port: number;
  #connection: KeepAliveConnection | undefined;
  #challenge: string | undefined;
  #challengeAt = 0;

  constructor(port: number) {
    this.#port = port;
  }

  /**
   * Posts to `room` as `session` the body `bodyAt(sentAt)` makes, built just before the request is
   * written so the send time it carries leaves out fetching a challenge.
   */
  async post(
    room: string,
    session: string,
    bodyAt: (sentAt: number) => Buffer,
  ): Promise<PostAnswer> {
    this.busy = true;
    let sentAt = Number.NaN;
    try {
      this.#connection ??= await KeepAliveConnection.open(this.#port);
      // A lane left idle longer than half the default challenge ttl (120 s) fetches a fresh one.
      if (this.#challenge === undefined || Date.now() - this.#challengeAt > 60_000) {
        const info = (await this.#connection.getJson('/')) as {
          pow: { price: number; challenges: Record<string, string> };
        };
        // The soak runs at the flat bench price; anything else means the node was not set up so.
        if (info.pow.price !== 1) return { outcome: `price-${info.pow.price}`, sentAt };
        this.#challenge = info.pow.challenges['room-post'];
        this.#challengeAt = Date.now();
      }
      const token = formatPowToken(this.#challenge!, 0);
      this.#challenge = undefined;
      sentAt = nowMs();
      const body = bodyAt(sentAt);
      const answer = await this.#connection.request(
        Buffer.concat([
          Buffer.from(
            `POST /room/${room} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nauthorization: PoW ${token}\r\nsigmesh-session: ${session}\r\ncontent-length: ${body.length}\r\n\r\n`,
          ),
          body,
        ]),
      );
      const json = JSON.parse(answer.body.toString('utf8')) as {
        next?: { challenge?: string };
        code?: string;
        id?: string;
      };
      if (answer.status === 200 && typeof json.next?.challenge === 'string') {
        this.#challenge = json.next.challenge;
        this.#challengeAt = Date.now();
        return { outcome: 'ok', sentAt, ...(json.id === undefined ? {} : { messageId: json.id }) };
      }
      return { outcome: json.code ?? `http-${answer.status}`, sentAt };
    } catch {
      this.#connection?.close();
      this.#connection = undefined;
      return { outcome: 'network', sentAt };
    } finally {
      this.busy = false;
    }
  }

  close(): void {
    this.#connection?.close();
  }
}
