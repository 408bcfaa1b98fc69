import type { NodeOptions } from '@sigmesh/node';
import { sigmeshBenchOptions } from '../lib/bench-servers.js';
import { startChild, type BenchChild } from '../lib/child-process.js';

/** What a soak node child answers to `sample`. */
export interface NodeSample {
  readonly memory: NodeJS.MemoryUsage;
  readonly cpu: NodeJS.CpuUsage;
  readonly elu: number;
  readonly rooms: {
    rooms: number;
    members: number;
    messages: number;
    deliveries: number;
    slowConsumersCut: number;
  };
  readonly mesh: Record<string, number>;
  readonly connections: Record<string, number>;
  readonly log: Record<string, number>;
  /** The first lines of each kind below info; only when the sample asked for them. */
  readonly logExamples: Record<string, string[]>;
  readonly firstWarnings: readonly string[];
}

/** One node process of the soak. */
export interface SoakNode {
  readonly child: BenchChild;
  readonly port: number;
  readonly id: string;
  sample(options?: { gc?: boolean; examples?: boolean }): Promise<NodeSample>;
}

/** The soak's processes: a loopback DHT, the nodes, the load generators. */
export interface SoakCluster {
  readonly dht: BenchChild;
  readonly nodes: readonly SoakNode[];
  readonly generators: readonly BenchChild[];
  stop(): Promise<void>;
}

/**
 * The node options of the soak: the bench's flat price of 1 and lifted per-address caps (every
 * member comes from 127.0.0.1), and otherwise what a production node runs — the default member
 * queue (64 KiB, so slow consumers are cut as they would be), heartbeats every 15 s, the default
 * discovery timings, the connection cap derived from the open-file limit, no TURN listener (not
 * exercised; loopback only).
 */
export function soakNodeOptions(overrides: NodeOptions = {}): NodeOptions {
  return {
    ...sigmeshBenchOptions,
    heartbeatMs: 15_000,
    memberQueueBytes: 65_536,
    turnPort: -1,
    // Derived from the open-file limit, as on a production node (≤ 10,000 connections).
    maxConnections: 0,
    // The default challenge lifetime, so the replay set rotates as in service (the bench's 3600 s
    // would let it grow for the whole soak); every token here is fetched right before its use.
    powTtlSeconds: 120,
    // The flood-dedupe set is bounded by design (two generations of half this many ids, about
    // 80 bytes each); at the default 100,000 it would still be filling for 17 minutes at 100
    // posts/s and its filling would look like a slope over a 10-minute soak. With 20,000 it
    // cycles every 100 s, inside the warm-up, so a slope after it is not the dedupe set.
    meshDedupeSize: 20_000,
    ...overrides,
  };
}

/**
 * Starts a DHT of `dhtNodes` (bench/mesh/dht-child.ts), then `nodes` soak nodes one after another,
 * each bootstrapping from 3 random DHT nodes (as createTestnet does), each started with
 * `--expose-gc` so checkpoints can read the heap after a full collection; then `generators` load
 * generator processes. Every child runs under `ulimit -n <hard limit>` (bench/lib/child-process.ts).
 */
export async function startSoakCluster(options: {
  nodes: number;
  dhtNodes: number;
  generators: number;
  nodeOptions?: NodeOptions;
}): Promise<SoakCluster> {
  const dht = await startChild('../mesh/dht-child.ts', [String(options.dhtNodes)]);
  const nodes: SoakNode[] = [];
  const generators: BenchChild[] = [];
  const stop = async (): Promise<void> => {
    for (const generator of generators) await generator.stop();
    for (const node of nodes) await node.child.stop();
    await dht.stop();
  };
  try {
    const { bootstrap } = await dht.call<{ bootstrap: string[] }>({ type: 'bootstrap' });
    for (let i = 0; i < options.nodes; i++) {
      const picked = [...bootstrap].sort(() => Math.random() - 0.5).slice(0, 3);
      const child = await startChild(
        '../soak/soak-node-child.ts',
        [
          JSON.stringify({
            ...soakNodeOptions(options.nodeOptions),
            dhtBootstrap: picked.join(','),
          }),
        ],
        ['--expose-gc'],
      );
      const { port, id } = await child.call<{ port: number; id: string }>({ type: 'port' });
      nodes.push({
        child,
        port,
        id,
        sample: ({ gc = false, examples = false } = {}) =>
          child.call<NodeSample>({ type: 'sample', gc, examples }, 60_000),
      });
    }
    for (let i = 0; i < options.generators; i++)
      generators.push(await startChild('../soak/soak-load-child.ts'));
  } catch (error) {
    await stop();
    throw error;
  }
  return { dht, nodes, generators, stop };
}
