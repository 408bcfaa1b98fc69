import type { TestContext } from 'node:test';
import { RTCPeerConnection } from 'werift';
import { joinRoom, type JoinRoomOptions, type Room } from '../../src/index.js';

/** joinRoom for Node tests: werift as the WebRTC implementation, loopback candidates, left at the end. */
export async function joinWithWerift(
  t: TestContext,
  options: Omit<JoinRoomOptions, 'rtc'>,
): Promise<Room> {
  const room = await joinRoom({
    storage: memoryStorage(),
    ...options,
    rtc: { RTCPeerConnection },
    rtcConfiguration: { iceAdditionalHostAddresses: ['127.0.0.1'], ...options.rtcConfiguration },
  });
  t.after(() => room.leave());
  return room;
}

/** A fresh storage per client, so tests do not share remembered nodes. */
export function memoryStorage(): {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
} {
  const map = new Map<string, string>();
  return {
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
  };
}

/** Resolves with the first `event` the room emits (its arguments), or rejects after `ms`. */
export function nextEvent(
  room: Room,
  name: 'peer-join' | 'peer-leave' | 'message' | 'nodes',
  ms = 15_000,
): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${name} within ${ms} ms`));
    }, ms);
    const listener = (...args: unknown[]): void => {
      clearTimeout(timer);
      off();
      resolve(args);
    };
    const off = room.on(name, listener);
  });
}
