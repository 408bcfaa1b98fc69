import { once } from 'node:events';
import type { TestContext } from 'node:test';
import { WebSocket } from 'ws';

/**
 * A raw WebSocket client for the dialect endpoints: every frame it receives is kept, parsed as
 * JSON, so a test can wait for the one it expects and assert on the exact wire text.
 */
export class DialectSocket {
  readonly ws: WebSocket;
  readonly received: unknown[] = [];
  #waiters: Array<() => void> = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer) => {
      this.received.push(JSON.parse(data.toString('utf8')) as unknown);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** Opens a socket to `url` (ws://…/nostr or /ws-relay), closed when the test ends. */
  static async open(t: TestContext, url: string): Promise<DialectSocket> {
    const ws = new WebSocket(url);
    t.after(() => ws.terminate());
    await once(ws, 'open');
    return new DialectSocket(ws);
  }

  send(value: unknown): void {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  /** The first frame received (since `from`) for which `match` holds; rejects after `ms`. */
  async next<T = unknown>(match: (frame: unknown) => boolean, ms = 5_000, from = 0): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const found = this.received.slice(from).find(match);
      if (found !== undefined) return found as T;
      const left = end - Date.now();
      if (left <= 0)
        throw new Error(`no matching frame within ${ms} ms; got ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Frames received so far matching `match`. */
  all(match: (frame: unknown) => boolean): unknown[] {
    return this.received.filter(match);
  }
}

/** The ws:// URL of a dialect path on a node's HTTP URL. */
export function dialectUrl(nodeUrl: string, path: string): string {
  return `${nodeUrl.replace(/^http/, 'ws')}${path}`;
}

/** Matches a frame that is an array starting with `type` (and `second`, when given). */
export function frame(type: string, second?: unknown): (value: unknown) => boolean {
  return (value) =>
    Array.isArray(value) && value[0] === type && (second === undefined || value[1] === second);
}
