import {
  applyPresence,
  parseMessageEvent,
  parsePresenceEvent,
  parseWelcomeEvent,
  type MessageEvent,
  type PeerId,
  type PresenceEvent,
  type RoomHash,
  type WelcomeEvent,
} from '@sigmesh/protocol';
import type { SseEvent } from '@sigmesh/protocol';
import { openRoomStream, postWithPow, type JoinQuery } from '../../src/cli/node-api-client.js';

/** A room member for tests: a real event stream plus helpers to post and await events. */
export interface TestMember {
  readonly welcome: WelcomeEvent;
  readonly peerId: PeerId;
  readonly events: SseEvent[];
  post(data: unknown, to?: PeerId): Promise<unknown>;
  /** Resolves with the next event of this name (already received ones count), or rejects after `ms`. */
  next(name: string, ms?: number): Promise<SseEvent>;
  messages(): MessageEvent[];
  /** Peers in `presence` events' join (leave) lists, in order (resyncs not included). */
  joins(): PeerId[];
  leaves(): PeerId[];
  /** The other members as this member's events tell them: welcome, then every join and leave. */
  view(): Set<PeerId>;
  close(): void;
}

/**
 * Joins `room` on the node at `baseUrl` over real HTTP (paying PoW) and waits for `welcome`;
 * `query` adds to the join's query once its token is known (an inbox owner's proof).
 */
export async function joinRoom(
  baseUrl: string,
  room: RoomHash,
  query?: JoinQuery,
): Promise<TestMember> {
  const controller = new AbortController();
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  const stream = openRoomStream(baseUrl, room, controller.signal, query);
  const first = await stream.next();
  if (first.done === true || first.value.event !== 'welcome') throw new Error('no welcome event');
  const welcome = parseWelcomeEvent(JSON.parse(first.value.data));
  if (!welcome.ok) throw new Error(welcome.message);
  void (async () => {
    try {
      for await (const event of stream) {
        events.push(event);
        for (const wake of waiters) wake();
      }
    } catch {
      // Closed by close() or by the node.
    }
  })();
  let offer = welcome.value.pow;
  const consumed = new Map<string, number>();
  return {
    welcome: welcome.value,
    peerId: welcome.value.peerId,
    events,
    async post(data, to) {
      const result = (await postWithPow(
        `${baseUrl}/room/${room}`,
        to === undefined ? { data } : { data, to },
        offer,
        {
          'sigmesh-session': welcome.value.session,
        },
      )) as { next: typeof offer };
      offer = result.next;
      return result;
    },
    next(name, ms = 5000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const seen = consumed.get(name) ?? 0;
          const matching = events.filter((event) => event.event === name);
          const event = matching[seen];
          if (event === undefined) return false;
          consumed.set(name, seen + 1);
          waiters.delete(wake);
          clearTimeout(timer);
          resolve(event);
          return true;
        };
        const wake = (): void => void check();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`no ${name} event within ${ms} ms`));
        }, ms);
        waiters.add(wake);
        check();
      });
    },
    messages: () =>
      events
        .filter((e) => e.event === 'message')
        .map((e) => unwrap(parseMessageEvent(JSON.parse(e.data)))),
    joins: () => presenceChanges(events).flatMap((change) => ('join' in change ? change.join : [])),
    leaves: () =>
      presenceChanges(events).flatMap((change) => ('leave' in change ? change.leave : [])),
    view() {
      const members = new Set(welcome.value.members);
      for (const change of presenceChanges(events)) applyPresence(members, change);
      return members;
    },
    close: () => controller.abort(),
  };
}

function presenceChanges(events: readonly SseEvent[]): PresenceEvent[] {
  return events
    .filter((event) => event.event === 'presence')
    .map((event) => unwrap(parsePresenceEvent(JSON.parse(event.data))));
}

function unwrap<T>(result: { ok: true; value: T } | { ok: false; message: string }): T {
  if (!result.ok) throw new Error(result.message);
  return result.value;
}
