import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

/**
 * WebSocket sends coalesced per turn of the event loop: the first send to a socket in a turn
 * corks it, and one `setImmediate` uncorks every corked socket, so every frame sent to one peer
 * in a turn (a fan-out, a burst of relayed messages, a tracker's offers) leaves in one write —
 * one system call where there was one per frame. The same as `MemberWriter` does for room
 * streams. Bytes corked in the current turn are reported by {@link corkedBytes} so a
 * slow-consumer bound keeps judging what the kernel has not taken, as strictly as before.
 */

/** The TCP (or TLS) socket under each WebSocket, registered when it was made. */
const sockets = new WeakMap<WebSocket, Duplex>();
/** Sockets corked in this turn, with the bytes sent to each since. */
const corked = new Map<Duplex, number>();

/** Registers the socket a WebSocket writes to (from `handleUpgrade`, or the client's `upgrade`). */
export function attachSocket(ws: WebSocket, socket: Duplex): void {
  sockets.set(ws, socket);
}

/** `ws.send(data)`, coalesced with the other sends to the same socket in this turn. */
export function sendInTurn(ws: WebSocket, data: string | Buffer): void {
  const socket = sockets.get(ws);
  if (socket !== undefined && !socket.destroyed) {
    const bytes = corked.get(socket);
    if (bytes === undefined) {
      if (corked.size === 0) setImmediate(uncorkAll);
      socket.cork();
    }
    corked.set(socket, (bytes ?? 0) + frameBytes(data));
  }
  ws.send(data);
}

/** Bytes sent to `ws` in this turn, held by the cork (not yet offered to the kernel). */
export function corkedBytes(ws: WebSocket): number {
  const socket = sockets.get(ws);
  return socket === undefined ? 0 : (corked.get(socket) ?? 0);
}

function uncorkAll(): void {
  const list = [...corked.keys()];
  corked.clear();
  for (const socket of list) socket.uncork();
}

/** A frame's size on the wire: its payload and an unmasked server-to-client header. */
function frameBytes(data: string | Buffer): number {
  const payload = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  return payload + (payload < 126 ? 2 : payload < 65_536 ? 4 : 10);
}
