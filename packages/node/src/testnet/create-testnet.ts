import { pino } from 'pino';
import { createLocalDht, type LocalDht } from '../discovery/local-dht.js';
import type { DiscoveryLimits } from '../discovery/discovery-limits.js';
import { createEphemeralIdentity } from '../identity/node-identity.js';
import { startNode, type NodeOptions, type SigmeshNode } from '../sigmesh-node.js';

/** Options of {@link createTestnet}. */
export interface TestnetOptions {
  /** sigmesh nodes to start (≥ 1). */
  readonly nodes: number;
  /** Plain DHT nodes forming the loopback DHT the sigmesh nodes join (default max(4, nodes)). */
  readonly dhtNodes?: number;
  /** Options for every sigmesh node (host, port, identity and DHT bootstrap are set per node). */
  readonly nodeOptions?: NodeOptions;
  /** Bootstrap addresses each node is given, picked at random from the DHT (default 3). */
  readonly bootstrapPerNode?: number;
}

/** A running testnet. */
export interface Testnet {
  readonly nodes: readonly SigmeshNode[];
  readonly dht: LocalDht;
  /** Stops a node (to test churn); the others keep running. */
  stopNode(index: number): Promise<void>;
  /** Stops every node, then the DHT. Idempotent. */
  close(): Promise<void>;
}

/** Discovery timings for a loopback DHT: fast queries, frequent lookups, quick retries. */
export const testnetDiscoveryLimits: Partial<DiscoveryLimits> = {
  queryTimeoutMs: 500,
  operationTimeoutMs: 5_000,
  bootstrapRetryMinMs: 200,
  bootstrapRetryMaxMs: 2_000,
  tickMs: 200,
  roomLookupMs: 500,
  roomAnnounceMs: 5_000,
  nodeLookupMs: 2_000,
  identifyTimeoutMs: 1_000,
};

/**
 * A loopback DHT plus N sigmesh nodes on 127.0.0.1, in this process: for tests, benchmarks,
 * `sigmesh dev` and anyone trying sigmesh without touching the public DHT. Nodes join one after
 * another, each bootstrapping from a few random DHT nodes (many nodes joining at once from one
 * seed leave some with empty routing tables).
 */
export async function createTestnet(options: TestnetOptions): Promise<Testnet> {
  if (!Number.isInteger(options.nodes) || options.nodes < 1)
    throw new RangeError('a testnet needs at least one node');
  const dht = await createLocalDht({ nodes: options.dhtNodes ?? Math.max(4, options.nodes) });
  const nodes: SigmeshNode[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop()));
    await dht.close();
  };
  try {
    for (let i = 0; i < options.nodes; i++) {
      const bootstrap = pick(dht.bootstrap, options.bootstrapPerNode ?? 3)
        .map((a) => `${a.host}:${a.port}`)
        .join(',');
      nodes.push(
        await startNode({
          logger: pino({ level: 'warn' }),
          // Many nodes on one host: every port is picked by the system.
          turnPort: 0,
          // Every node, link and client of a testnet shares 127.0.0.1: per-address caps would
          // count them all as one client.
          maxConnectionsPerAddress: 0,
          turnMaxAllocationsPerAddress: 1_000_000,
          turnMaxTcpConnectionsPerAddress: 1_000_000,
          ...options.nodeOptions,
          host: '127.0.0.1',
          port: 0,
          identity: createEphemeralIdentity(),
          dhtBootstrap: bootstrap,
          discoveryLimits: { ...testnetDiscoveryLimits, ...options.nodeOptions?.discoveryLimits },
        }),
      );
    }
  } catch (error) {
    await closeAll();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    nodes,
    dht,
    async stopNode(index) {
      const node = nodes[index];
      if (node === undefined) throw new RangeError(`no node ${index}`);
      await node.stop();
    },
    close() {
      closing ??= closeAll();
      return closing;
    },
  };
}

function pick<T>(items: readonly T[], count: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, Math.max(1, count));
}
