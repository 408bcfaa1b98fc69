import { KeepAliveConnection } from '../lib/keepalive-connection.js';

/** A few keep-alive connections to one node, lent out one request at a time. */
export class ConnectionPool {
  readonly #idle: KeepAliveConnection[] = [];
  readonly #waiters: ((connection: KeepAliveConnection) => void)[] = [];

  static async open(port: number, size: number): Promise<ConnectionPool> {
    const pool = new ConnectionPool();
    for (let i = 0; i < size; i++) pool.#idle.push(await KeepAliveConnection.open(port));
    return pool;
  }

  async use<T>(run: (connection: KeepAliveConnection) => Promise<T>): Promise<T> {
    const connection =
      this.#idle.pop() ??
      (await new Promise<KeepAliveConnection>((resolve) => this.#waiters.push(resolve)));
    try {
      return await run(connection);
    } finally {
      const waiter = this.#waiters.shift();
      if (waiter !== undefined) waiter(connection);
      else this.#idle.push(connection);
    }
  }

  close(): void {
    for (const connection of this.#idle.splice(0)) connection.close();
  }
}
