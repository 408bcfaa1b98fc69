/**
 * Many idle TCP connections to one port from one local address: they connect and send nothing,
 * the cheapest way to hold a server's file descriptors. Bounded in count and time.
 */
import { connect, type Socket } from 'node:net';

/** What became of a flood's connections. */
export interface IdleFlood {
  /** Connections that are still open (the server holds them). */
  held(): number;
  /** Connections the server closed. */
  closedByServer(): number;
  /** Whatever the server wrote before closing, one string per connection that got bytes. */
  answers(): string[];
  /** Destroys every connection. */
  close(): void;
}

/**
 * Opens `count` connections to `127.0.0.1:port` from `localAddress`, waits until each one
 * connected or failed (at most `timeoutMs`), then `settleMs` more for the server to act.
 */
export async function openIdleConnections(options: {
  port: number;
  count: number;
  localAddress: string;
  host?: string;
  timeoutMs?: number;
  settleMs?: number;
}): Promise<IdleFlood> {
  const sockets: Socket[] = [];
  const closed = new Set<Socket>();
  const received = new Map<Socket, string>();
  let localClose = false;
  const settled = Array.from(
    { length: options.count },
    () =>
      new Promise<void>((resolve) => {
        const socket = connect({
          host: options.host ?? '127.0.0.1',
          port: options.port,
          localAddress: options.localAddress,
        });
        sockets.push(socket);
        socket.on('connect', () => resolve());
        socket.on('data', (chunk: Buffer) =>
          received.set(socket, (received.get(socket) ?? '') + chunk.toString()),
        );
        socket.on('error', () => resolve());
        socket.on('close', () => {
          if (!localClose) closed.add(socket);
          resolve();
        });
      }),
  );
  await Promise.race([
    Promise.all(settled),
    new Promise((resolve) => setTimeout(resolve, options.timeoutMs ?? 5000)),
  ]);
  await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 300));
  return {
    held: () => sockets.filter((s) => !s.destroyed && !closed.has(s)).length,
    closedByServer: () => closed.size,
    answers: () => [...received.values()],
    close() {
      localClose = true;
      for (const socket of sockets) socket.destroy();
    },
  };
}
