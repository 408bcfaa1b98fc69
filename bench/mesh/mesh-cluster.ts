import type { NodeOptions } from '@sigmesh/node';
import { sigmeshBenchOptions } from '../lib/bench-servers.js';
import { startChild, type BenchChild } from '../lib/child-process.js';

/** A sigmesh node running in its own child process. */
export interface NodeProcess {
  readonly child: BenchChild;
  readonly port: number;
  readonly id: string;
}

/** A loopback DHT child plus sigmesh node children joined to it. */
export interface MeshCluster {
  readonly dht: BenchChild;
  readonly nodes: readonly NodeProcess[];
  /** Starts one more node on the cluster's DHT (with the cluster's options). */
  add(): Promise<NodeProcess>;
  stop(): Promise<void>;
}

/**
 * Starts a DHT of `dhtNodes` in one child and `nodes` sigmesh nodes, each in its own child, each
 * bootstrapping from 3 random DHT nodes (as createTestnet does) with the testnet discovery timings.
 * Bench options: price 1 and flat, caps lifted, heartbeats every 10 min, 1 MiB member queues.
 */
export async function startMeshCluster(options: {
  nodes: number;
  dhtNodes: number;
  nodeOptions?: NodeOptions;
}): Promise<MeshCluster> {
  const dht = await startChild('../mesh/dht-child.ts', [String(options.dhtNodes)]);
  const { bootstrap } = await dht.call<{ bootstrap: string[] }>({ type: 'bootstrap' });
  const nodes: NodeProcess[] = [];
  const add = async (): Promise<NodeProcess> => {
    const picked = [...bootstrap].sort(() => Math.random() - 0.5).slice(0, 3);
    const node = await startNodeChild({ ...options.nodeOptions, dhtBootstrap: picked.join(',') });
    nodes.push(node);
    return node;
  };
  for (let i = 0; i < options.nodes; i++) await add();
  return {
    dht,
    nodes,
    add,
    async stop() {
      for (const node of nodes) await node.child.stop();
      await dht.stop();
    },
  };
}

/**
 * One sigmesh node in its own child process (bench/mesh/node-child.ts) with the bench options —
 * price 1 and flat, caps lifted, heartbeats every 10 min, 1 MiB member queues — and `options`.
 */
export async function startNodeChild(options: NodeOptions = {}): Promise<NodeProcess> {
  const child = await startChild('../mesh/node-child.ts', [
    JSON.stringify({
      ...sigmeshBenchOptions,
      logLevel: 'silent',
      heartbeatMs: 600_000,
      memberQueueBytes: 1 << 20,
      ...options,
    } satisfies NodeOptions),
  ]);
  const { port, id } = await child.call<{ port: number; id: string }>({ type: 'port' });
  return { child, port, id };
}

/** CPU seconds (user + system) a child has used so far. */
export async function cpuSeconds(child: BenchChild): Promise<number> {
  const { cpu } = await child.call<{ cpu: NodeJS.CpuUsage }>({ type: 'cpu' });
  return (cpu.user + cpu.system) / 1e6;
}
