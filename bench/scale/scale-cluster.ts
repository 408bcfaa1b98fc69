import {
  defaultDiscoveryLimits,
  testnetDiscoveryLimits,
  type DiscoveryLimits,
  type NodeOptions,
} from '@sigmesh/node';
import { sigmeshBenchOptions } from '../lib/bench-servers.js';
import { startChild, type BenchChild } from '../lib/child-process.js';
import { cpuSeconds } from '../mesh/mesh-cluster.js';
import type { HostedNodeStats } from './scale-host-child.js';

/** The discovery schedule fields (periods and ages; timeouts are left as they are). */
const SCHEDULE = [
  'tickMs',
  'nodeAnnounceMs',
  'descriptorRepublishMs',
  'nodeLookupMs',
  'descriptorMaxAgeMs',
  'roomEpochMs',
  'roomEpochLeadMs',
  'roomAnnounceMs',
  'roomLookupMs',
  'roomPeerTtlMs',
  'storedPeerMaxAgeMs',
] as const satisfies readonly (keyof DiscoveryLimits)[];

/**
 * The node's default discovery schedule run `timeScale` times faster (every period and age
 * divided by it, query timeouts kept): the same work per period, so a window of W seconds shows
 * what W × timeScale seconds do at the defaults. `'testnet'`: the testnet's timings instead.
 */
export function scaleDiscoveryLimits(timeScale: number | 'testnet'): Partial<DiscoveryLimits> {
  if (timeScale === 'testnet') return testnetDiscoveryLimits;
  const limits: Partial<Record<keyof DiscoveryLimits, number>> = {};
  for (const key of SCHEDULE) limits[key] = Math.round(defaultDiscoveryLimits[key] / timeScale);
  return limits;
}

/** A child process hosting some of the cluster's nodes. */
export interface ScaleHost {
  readonly child: BenchChild;
  /** Indices of the nodes it hosts now. */
  readonly nodes: Set<number>;
  /** Hosts that churn replaces whole (killed or stopped) rather than keeping to the end. */
  readonly churn: boolean;
  /** The process's memory (after full collections) before it started any node. */
  readonly empty: NodeJS.MemoryUsage;
}

/** One running node of the cluster. */
export interface ScaleNode {
  readonly index: number;
  readonly port: number;
  readonly id: string;
  readonly host: ScaleHost;
}

/** What each host process reports: its nodes' counters, its mesh frames, its CPU. */
export interface HostReading {
  readonly pid: number;
  readonly nodes: readonly HostedNodeStats[];
  readonly wsFramesSent: number;
  /** Mesh frames sent by type since the host started. */
  readonly framesByType: Readonly<Record<string, number>>;
  /** Event-loop delay since the previous reading (ms). */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  readonly cpuSeconds: number;
}

/** Options of {@link startScaleCluster}. */
export interface ScaleClusterOptions {
  readonly nodes: number;
  /** Plain DHT nodes in the DHT child, the network the sigmesh nodes join. */
  readonly dhtNodes: number;
  readonly nodesPerHost: number;
  /** Every node's discovery timings. */
  readonly discoveryLimits: Partial<DiscoveryLimits>;
  /** Every node's `meshRoomBeatsPerSecond` (beat pacing); the node's default when absent. */
  readonly roomBeatsPerSecond?: number;
}

/** A loopback DHT child plus host children with N sigmesh nodes between them. */
export interface ScaleCluster {
  readonly dht: BenchChild;
  readonly hosts: ScaleHost[];
  /** Live nodes by index. */
  readonly nodes: Map<number, ScaleNode>;
  /** Starts a host with `count` new nodes, joined one after another. */
  addHost(count: number, churn: boolean): Promise<ScaleNode[]>;
  /** Stops one node with its goodbye (links and members closed by the node). */
  stopNode(index: number): Promise<void>;
  /** Kills a host with SIGKILL: its nodes vanish without a goodbye. */
  killHost(host: ScaleHost): Promise<void>;
  read(): Promise<HostReading[]>;
  /** Each host's memory after full collections, its memory before its nodes, and its node count. */
  memory(): Promise<{ memory: NodeJS.MemoryUsage; empty: NodeJS.MemoryUsage; nodes: number }[]>;
  stop(): Promise<void>;
}

/**
 * Starts the DHT child (bench/mesh/dht-child.ts), then hosts of `nodesPerHost` nodes, the hosts
 * filling in parallel and each host's nodes joining one after another, every node bootstrapping
 * from 3 random DHT nodes as createTestnet does. Bench node options (price 1, caps lifted).
 */
export async function startScaleCluster(options: ScaleClusterOptions): Promise<ScaleCluster> {
  const dht = await startChild('../mesh/dht-child.ts', [String(options.dhtNodes)]);
  const { bootstrap } = await dht.call<{ bootstrap: string[] }>({ type: 'bootstrap' });
  const hosts: ScaleHost[] = [];
  const nodes = new Map<number, ScaleNode>();
  let nextIndex = 0;
  const nodeOptions: NodeOptions = {
    ...sigmeshBenchOptions,
    logLevel: 'silent',
    heartbeatMs: 600_000,
    memberQueueBytes: 1 << 20,
    ...(options.roomBeatsPerSecond === undefined
      ? {}
      : { meshRoomBeatsPerSecond: options.roomBeatsPerSecond }),
  };
  const addHost = async (count: number, churn: boolean): Promise<ScaleNode[]> => {
    const child = await startChild('../scale/scale-host-child.ts', [], ['--expose-gc']);
    const { memory: empty } = await child.call<{ memory: NodeJS.MemoryUsage }>({ type: 'memory' });
    const host: ScaleHost = { child, nodes: new Set(), churn, empty };
    hosts.push(host);
    const added: ScaleNode[] = [];
    for (let i = 0; i < count; i++) {
      const index = nextIndex++;
      const picked = [...bootstrap].sort(() => Math.random() - 0.5).slice(0, 3);
      const { port, id } = await child.call<{ port: number; id: string }>({
        type: 'start',
        index,
        options: {
          ...nodeOptions,
          dhtBootstrap: picked.join(','),
          discoveryLimits: options.discoveryLimits,
        },
      });
      const node = { index, port, id, host };
      host.nodes.add(index);
      nodes.set(index, node);
      added.push(node);
    }
    return added;
  };
  const hostCount = Math.ceil(options.nodes / options.nodesPerHost);
  await Promise.all(
    Array.from({ length: hostCount }, (_, h) =>
      addHost(Math.min(options.nodesPerHost, options.nodes - h * options.nodesPerHost), false),
    ),
  );
  const forget = (host: ScaleHost): void => {
    for (const index of host.nodes) nodes.delete(index);
    host.nodes.clear();
    hosts.splice(hosts.indexOf(host), 1);
  };
  return {
    dht,
    hosts,
    nodes,
    addHost,
    async stopNode(index) {
      const node = nodes.get(index);
      if (node === undefined) return;
      await node.host.child.call({ type: 'stop', index });
      nodes.delete(index);
      node.host.nodes.delete(index);
    },
    async killHost(host) {
      process.kill(host.child.pid, 'SIGKILL');
      await host.child.stop();
      forget(host);
    },
    read: () =>
      Promise.all(
        hosts.map(async (host) => {
          const reading = await host.child.call<Omit<HostReading, 'pid' | 'cpuSeconds'>>({
            type: 'stats',
          });
          return { ...reading, pid: host.child.pid, cpuSeconds: await cpuSeconds(host.child) };
        }),
      ),
    memory: () =>
      Promise.all(
        hosts.map(async (host) => ({
          ...(await host.child.call<{ memory: NodeJS.MemoryUsage; nodes: number }>({
            type: 'memory',
          })),
          empty: host.empty,
        })),
      ),
    async stop() {
      await Promise.all(hosts.map((host) => host.child.stop()));
      await dht.stop();
    },
  };
}
