import { connect, type Socket } from 'node:net';
import { hrtime } from 'node:process';
import { formatPowToken } from '@sigmesh/protocol';
import { KeepAliveConnection } from '../lib/keepalive-connection.js';
import { joinToken } from '../lib/pow-tokens.js';

/** Monotonic milliseconds (one clock for every member and poster of this process). */
export function nowMs(): number {
  return Number(hrtime.bigint()) / 1e6;
}

/** A parsed `message` event and when its last byte arrived. */
export interface Arrival {
  readonly at: number;
  readonly from: string;
  readonly data: unknown;
}

/** An open room stream that parses every event (unlike bench/lib/sse-member, which only counts). */
export interface RoomStream {
  readonly peerId: string;
  readonly session: string;
  /** Called for each `message` event; replace it to route arrivals. */
  onMessage: (arrival: Arrival) => void;
  /** Called for each peer a `presence` event says joined. */
  onJoin: (peerId: string) => void;
  /** Called for each peer a `presence` event says left. */
  onLeave: (peerId: string) => void;
  close(): void;
}

const EVENT_END = '\n\n';

/**
 * Joins `room` on 127.0.0.1:`port` over a bare socket (join PoW solved at the bench price of 1)
 * and parses its server-sent events. Resolves after `welcome`.
 */
export async function openRoomStream(
  port: number,
  room: string,
  timeoutMs = 30_000,
): Promise<RoomStream> {
  const connection = await KeepAliveConnection.open(port);
  const token = await joinToken(connection, room);
  connection.close();
  const socket: Socket = connect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  socket.on('connect', () =>
    socket.write(
      `GET /room/${room}?pow=${encodeURIComponent(token)} HTTP/1.1\r\nhost: 127.0.0.1\r\naccept: text/event-stream\r\n\r\n`,
    ),
  );
  let text = '';
  let headersDone = false;
  let welcome: { peerId: string; session: string } | undefined;
  const stream: RoomStream = {
    get peerId() {
      return welcome?.peerId ?? '';
    },
    get session() {
      return welcome?.session ?? '';
    },
    onMessage: () => undefined,
    onJoin: () => undefined,
    onLeave: () => undefined,
    close: () => socket.destroy(),
  };
  return new Promise<RoomStream>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`no welcome in ${room}`)), timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    socket.on('error', (error) => (welcome === undefined ? fail(error) : undefined));
    socket.on('data', (chunk: Buffer) => {
      const at = nowMs();
      text += chunk.toString('utf8');
      if (!headersDone) {
        const end = text.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!text.startsWith('HTTP/1.1 200')) return fail(new Error(text.slice(0, 300)));
        headersDone = true;
        text = text.slice(end + 4);
      }
      for (let end = text.indexOf(EVENT_END); end >= 0; end = text.indexOf(EVENT_END)) {
        const block = text.slice(0, end);
        text = text.slice(end + EVENT_END.length);
        let name = 'message';
        let data = '';
        // Chunked transfer-encoding size lines are not `event:`/`data:` lines and are skipped.
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) name = line.slice(7);
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        if (data === '') continue;
        if (name === 'welcome') {
          welcome = JSON.parse(data) as { peerId: string; session: string };
          clearTimeout(timer);
          resolve(stream);
        } else if (name === 'message') {
          const event = JSON.parse(data) as { from: string; data: unknown };
          stream.onMessage({ at, from: event.from, data: event.data });
        } else if (name === 'presence') {
          const change = JSON.parse(data) as {
            join?: string[];
            leave?: string[];
            members?: string[];
          };
          for (const peerId of change.leave ?? []) stream.onLeave(peerId);
          for (const peerId of change.join ?? change.members ?? []) stream.onJoin(peerId);
        }
      }
    });
  });
}

/**
 * Posts into one room over one keep-alive connection, chaining the `next` challenge each answer
 * carries. At the bench price of 1 every counter solves a challenge, so no hashing is needed on
 * the client side (the node still verifies each token: HMAC, SHA-256, replay set).
 */
export class RoomPoster {
  readonly #connection: KeepAliveConnection;
  readonly #room: string;
  readonly #session: string;
  #challenge: string;
  busy = false;

  private constructor(
    connection: KeepAliveConnection,
    room: string,
    session: string,
    first: string,
  ) {
    this.#connection = connection;
    this.#room = room;
    this.#session = session;
    this.#challenge = first;
  }

  static async open(port: number, room: string, session: string): Promise<RoomPoster> {
    const connection = await KeepAliveConnection.open(port);
    const info = (await connection.getJson('/')) as {
      pow: { price: number; challenges: Record<string, string> };
    };
    if (info.pow.price !== 1) throw new Error(`bench needs price 1, node asks ${info.pow.price}`);
    return new RoomPoster(connection, room, session, info.pow.challenges['room-post']!);
  }

  /** Posts `data` (broadcast) and resolves with the number of local deliveries. */
  async post(data: unknown): Promise<number> {
    this.busy = true;
    try {
      const body = Buffer.from(JSON.stringify({ data }));
      const token = formatPowToken(this.#challenge, 0);
      const answer = await this.#connection.request(
        Buffer.concat([
          Buffer.from(
            `POST /room/${this.#room} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nauthorization: PoW ${token}\r\nsigmesh-session: ${this.#session}\r\ncontent-length: ${body.length}\r\n\r\n`,
          ),
          body,
        ]),
      );
      const json = JSON.parse(answer.body.toString('utf8')) as {
        delivered?: number;
        next?: { challenge: string };
        code?: string;
      };
      if (answer.status !== 200 || json.next === undefined)
        throw new Error(`POST answered ${answer.status}: ${answer.body.toString()}`);
      this.#challenge = json.next.challenge;
      return json.delivered ?? 0;
    } finally {
      this.busy = false;
    }
  }

  close(): void {
    this.#connection.close();
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Percentile (nearest rank) of a list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
