import { connect, type Socket } from 'node:net';
import { hrtime } from 'node:process';
import { EventStreamReader, type StreamEvent } from './event-stream-reader.js';
import type { MemberEnd, MemberRecord } from './delivery-accounting.js';

/** Monotonic milliseconds (CLOCK_MONOTONIC: the same clock in every process on this machine). */
export function nowMs(): number {
  return Number(hrtime.bigint()) / 1e6;
}

/** What a member's events tell its load generator. */
export interface MemberListener {
  /** A `message` event: its post id (`p`), send time (`t`) and whether it was addressed to someone else. */
  message(member: SoakMember, post: number, sentAt: number, at: number, foreign: boolean): void;
  /** Any other event, by name (`presence`, `heartbeat`, …); `resync` for a whole-list presence. */
  other(member: SoakMember, name: string): void;
  /** The stream ended after its welcome; `byNode` when we did not close it. */
  ended(member: SoakMember, byNode: boolean): void;
}

/**
 * One room member over a raw socket: `GET /room/HASH?pow=…` on 127.0.0.1, every event parsed
 * ({@link EventStreamReader}), its view of the room kept from `welcome` and `presence` events, and
 * the post ids of the messages it read recorded for the delivery tally. Reads as fast as the
 * socket delivers (a member that reads slowly is cut by the node; the soak must not cause that).
 */
export class SoakMember {
  readonly room: string;
  readonly roomIndex: number;
  readonly node: number;
  peerId = '';
  session = '';
  joinedAt = 0;
  leftAt: number | undefined;
  end: MemberEnd | undefined;
  /** Set when we decided to close it: it posts no more. */
  leaving = false;
  /** Who this member sees in the room (itself excluded). */
  readonly view = new Set<string>();
  readonly received: number[] = [];
  readonly #socket: Socket;
  readonly #reader = new EventStreamReader();
  readonly #listener: MemberListener;

  private constructor(
    socket: Socket,
    place: { room: string; roomIndex: number; node: number },
    listener: MemberListener,
  ) {
    this.#socket = socket;
    this.room = place.room;
    this.roomIndex = place.roomIndex;
    this.node = place.node;
    this.#listener = listener;
  }

  /** Joins with `token` (a solved `room-join` token) and resolves after the `welcome` event. */
  static join(
    port: number,
    place: { room: string; roomIndex: number; node: number },
    token: string,
    listener: MemberListener,
    timeoutMs: number,
  ): Promise<SoakMember> {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    const member = new SoakMember(socket, place, listener);
    return new Promise<SoakMember>((resolve, reject) => {
      let welcomed = false;
      const timer = setTimeout(() => fail(new Error('no welcome in time')), timeoutMs);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      socket.on('connect', () =>
        socket.write(
          `GET /room/${place.room}?pow=${encodeURIComponent(token)} HTTP/1.1\r\nhost: 127.0.0.1\r\naccept: text/event-stream\r\n\r\n`,
        ),
      );
      socket.on('data', (bytes: Buffer) => {
        const at = nowMs();
        try {
          member.#reader.push(bytes, (event) => {
            if (!welcomed) {
              if (event.name !== 'welcome') return;
              welcomed = true;
              clearTimeout(timer);
              member.#welcome(event, at);
              resolve(member);
            } else member.#event(event, at);
          });
        } catch (error) {
          fail(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        const status = member.#reader.status;
        if (!welcomed && status !== undefined && status !== 200)
          fail(new Error(`join answered ${member.#reader.head.split('\r\n')[0] ?? status}`));
      });
      socket.on('error', (error) => {
        if (!welcomed) fail(error);
      });
      socket.on('close', () => {
        if (!welcomed) {
          fail(new Error('closed before its welcome'));
          return;
        }
        const byNode = !member.leaving;
        if (member.leftAt === undefined) member.leftAt = nowMs();
        member.end ??= byNode ? 'closed-by-node' : 'churn';
        listener.ended(member, byNode);
      });
    });
  }

  /** Leaves the room: closes the stream (its node sees the close and tells the others). */
  leave(end: MemberEnd = 'churn'): void {
    this.leaving = true;
    this.end = end;
    this.leftAt = nowMs();
    this.#socket.destroy();
  }

  /** True until the stream ended. */
  get open(): boolean {
    return !this.#socket.destroyed;
  }

  record(): MemberRecord {
    return {
      peerId: this.peerId,
      room: this.room,
      node: this.node,
      joinedAt: this.joinedAt,
      ...(this.leftAt === undefined ? {} : { leftAt: this.leftAt }),
      ...(this.end === undefined ? {} : { end: this.end }),
      received: this.received,
    };
  }

  #welcome(event: StreamEvent, at: number): void {
    const welcome = JSON.parse(event.data) as {
      peerId: string;
      session: string;
      members: string[];
    };
    this.peerId = welcome.peerId;
    this.session = welcome.session;
    this.joinedAt = at;
    for (const peer of welcome.members) if (peer !== this.peerId) this.view.add(peer);
  }

  #event(event: StreamEvent, at: number): void {
    if (event.name === 'message') {
      const message = JSON.parse(event.data) as {
        to?: string;
        data?: { p?: unknown; t?: unknown };
      };
      const post = message.data?.p;
      const sentAt = message.data?.t;
      if (typeof post !== 'number' || typeof sentAt !== 'number') {
        this.#listener.other(this, 'message-unknown');
        return;
      }
      this.received.push(post);
      this.#listener.message(
        this,
        post,
        sentAt,
        at,
        message.to !== undefined && message.to !== this.peerId,
      );
      return;
    }
    if (event.name === 'presence') {
      const change = JSON.parse(event.data) as {
        join?: string[];
        leave?: string[];
        members?: string[];
      };
      if (change.members !== undefined) {
        this.view.clear();
        for (const peer of change.members) if (peer !== this.peerId) this.view.add(peer);
        this.#listener.other(this, 'resync');
        return;
      }
      for (const peer of change.leave ?? []) this.view.delete(peer);
      for (const peer of change.join ?? []) if (peer !== this.peerId) this.view.add(peer);
    }
    this.#listener.other(this, event.name);
  }
}
