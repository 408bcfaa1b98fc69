import DHT from 'bittorrent-dht';
import type { DhtAddress } from './bootstrap-option.js';
import { verifyForDht } from './dht-client.js';

/** Options of {@link createLocalDht}. */
export interface LocalDhtOptions {
  /** How many DHT nodes (≥ 1). */
  readonly nodes: number;
  /** Query timeout of each node; 500 ms keeps lookups through dead nodes near 1 s. Default 500. */
  readonly timeoutMs?: number;
  /** Address to bind; default 127.0.0.1. */
  readonly host?: string;
  /** Max age of stored peers (bittorrent-dht keeps them forever otherwise). Default 15 min. */
  readonly peerMaxAgeMs?: number;
  /** Time limit for each node to join. Default 5 s. */
  readonly joinTimeoutMs?: number;
}

/** A loopback DHT for tests, benchmarks and the testnet. */
export interface LocalDht {
  /** Addresses of every node: pass them (or some) as the `bootstrap` option. */
  readonly bootstrap: DhtAddress[];
  readonly nodes: readonly DHT[];
  /** Destroys every node. Idempotent. */
  close(): Promise<void>;
}

/**
 * Creates `nodes` bittorrent-dht nodes on loopback, joined one after another, each from a random
 * node already in (not all from one seed: many nodes bootstrapping at once from one seed left some
 * with empty routing tables). Each join waits until the new node has a non-empty routing table.
 */
export async function createLocalDht(options: LocalDhtOptions): Promise<LocalDht> {
  if (!Number.isInteger(options.nodes) || options.nodes < 1)
    throw new RangeError('nodes must be an integer ≥ 1');
  const host = options.host ?? '127.0.0.1';
  const joinTimeoutMs = options.joinTimeoutMs ?? 5_000;
  const nodes: DHT[] = [];
  const bootstrap: DhtAddress[] = [];
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= Promise.all(
      nodes.map((dht) => new Promise<void>((resolve) => dht.destroy(resolve))),
    ).then(() => undefined));

  try {
    for (let i = 0; i < options.nodes; i++) {
      const seed =
        bootstrap.length > 0 ? bootstrap[Math.floor(Math.random() * bootstrap.length)] : undefined;
      const dht = new DHT({
        bootstrap: seed ? [seed] : false,
        verify: verifyForDht,
        timeout: options.timeoutMs ?? 500,
        maxAge: options.peerMaxAgeMs ?? 15 * 60_000,
      });
      nodes.push(dht);
      await join(dht, host, seed !== undefined, joinTimeoutMs);
      bootstrap.push({ host, port: dht.address().port });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { bootstrap, nodes, close };
}

function join(dht: DHT, host: string, needsPeers: boolean, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`local DHT node did not join within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    dht.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // 'ready' fires even when bootstrap failed: only a filled routing table counts.
    dht.once('ready', () => {
      if (!needsPeers || dht.nodes.count() > 0) return done();
      dht.once('node', done);
    });
    dht.listen(0, host);
  });
}
