// Tracker peers that join a swarm and never answer an offer: stuck or hostile members of a room.
// Their peer_ids sort after every Trystero id (20 characters of [0-9A-Za-z]), so in a small swarm
// every page's offers may go to them.
import type { Page } from 'playwright-core';
import { WebSocket } from 'ws';

/** How often a silent member announces again, to stay in the swarm. */
const REANNOUNCE_MS = 20_000;

export interface SilentMembers {
  /** Offers delivered to them so far (none answered). */
  offersReceived(): number;
  close(): void;
}

/** The info_hash of the first announce `page` sends over a WebSocket (its room's swarm). */
export function firstInfoHash(page: Page): Promise<string> {
  return new Promise((resolve) => {
    page.on('websocket', (socket) =>
      socket.on('framesent', ({ payload }) => {
        if (typeof payload !== 'string') return;
        const message = JSON.parse(payload) as { action?: string; info_hash?: string };
        if (message.action === 'announce' && message.info_hash !== undefined)
          resolve(message.info_hash);
      }),
    );
  });
}

/** `count` silent members of swarm `infoHash`, spread over the tracker `urls` (ws://…/announce). */
export async function openSilentMembers(
  urls: readonly string[],
  infoHash: string,
  count: number,
): Promise<SilentMembers> {
  let offers = 0;
  const sockets = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const socket = new WebSocket(urls[i % urls.length]!);
      socket.on('message', (data: Buffer) => {
        if ('offer' in (JSON.parse(data.toString()) as object)) offers++;
      });
      socket.on('error', () => undefined);
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      const peerId = `~silent${String(i).padStart(13, '0')}`;
      const announce = (): void =>
        socket.send(
          JSON.stringify({
            action: 'announce',
            info_hash: infoHash,
            peer_id: peerId,
            numwant: 0,
            uploaded: 0,
            downloaded: 0,
          }),
        );
      announce();
      const timer = setInterval(announce, REANNOUNCE_MS);
      socket.on('close', () => clearInterval(timer));
      return socket;
    }),
  );
  return {
    offersReceived: () => offers,
    close: () => {
      for (const socket of sockets) socket.terminate();
    },
  };
}
